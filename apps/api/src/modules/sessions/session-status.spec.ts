import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveStatus, isLive } from './session-status.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const later = new Date(now.getTime() + 1);

describe('effectiveStatus', () => {
  it('is expired the moment expiresAt is reached, before any job marks it', () => {
    assert.equal(effectiveStatus({ status: 'active', expiresAt: later }, now), 'active');
    assert.equal(effectiveStatus({ status: 'active', expiresAt: now }, now), 'expired');
    assert.equal(effectiveStatus({ status: 'active', expiresAt: now }, later), 'expired');
  });

  it('keeps a stored closed or expired status whatever expiresAt says', () => {
    assert.equal(effectiveStatus({ status: 'closed', expiresAt: later }, now), 'closed');
    assert.equal(effectiveStatus({ status: 'closed', expiresAt: now }, later), 'closed');
    assert.equal(effectiveStatus({ status: 'expired', expiresAt: later }, now), 'expired');
  });

  it('calls only an active, unexpired session live', () => {
    assert.equal(isLive({ status: 'active', expiresAt: later }, now), true);
    assert.equal(isLive({ status: 'active', expiresAt: now }, now), false);
    assert.equal(isLive({ status: 'closed', expiresAt: later }, now), false);
  });
});
