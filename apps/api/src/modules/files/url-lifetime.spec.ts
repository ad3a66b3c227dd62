import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileExpiresAt } from './dto/file.response.js';
import { urlLifetimeSeconds } from './url-lifetime.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(now.getTime() + seconds * 1000);

describe('urlLifetimeSeconds', () => {
  it('is the TTL while the deadlines are further away', () => {
    assert.equal(urlLifetimeSeconds(600, now, at(86_400), at(3600)), 600);
  });

  it('never outlives the upload window or the session', () => {
    assert.equal(urlLifetimeSeconds(600, now, at(120), at(3600)), 120);
    assert.equal(urlLifetimeSeconds(600, now, at(86_400), at(90.9)), 90);
  });

  it('is at least one second', () => {
    assert.equal(urlLifetimeSeconds(600, now, at(0.5)), 1);
  });
});

describe('fileExpiresAt', () => {
  const session = { expiresAt: at(3600) };

  it('is the upload window for a pending file, capped at the session’s expiry', () => {
    assert.deepEqual(
      fileExpiresAt({ status: 'pending', uploadExpiresAt: at(600) }, session),
      at(600),
    );
    assert.deepEqual(
      fileExpiresAt({ status: 'pending', uploadExpiresAt: at(86_400) }, session),
      at(3600),
    );
  });

  it('is the session’s expiry once the upload is over', () => {
    for (const status of ['verifying', 'ready', 'rejected'] as const) {
      assert.deepEqual(fileExpiresAt({ status, uploadExpiresAt: at(600) }, session), at(3600));
    }
  });
});
