import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@app/common';
import {
  DEFAULT_SESSION_NAME,
  newSessionSettings,
  sessionChange,
  type SessionBounds,
} from './session-settings.js';

const bounds: SessionBounds = {
  defaultTtlSeconds: 3600,
  minTtlSeconds: 60,
  maxTtlSeconds: 604_800,
  maxDevices: 10,
  maxFiles: 100,
  maxTotalBytes: 10_000,
  maxFileBytes: 5_000,
  maxDownloadsPerFile: 7,
};

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'VALIDATION_FAILED');
    return (err.errors ?? []).map((e) => e.field);
  }
  assert.fail('expected a validation error');
}

describe('newSessionSettings', () => {
  it('fills every default from the server bounds', () => {
    assert.deepEqual(newSessionSettings({}, bounds), {
      name: DEFAULT_SESSION_NAME,
      ttlSeconds: 3600,
      guestPermissions: ['upload', 'download'],
      requireApproval: false,
      limits: {
        maxDevices: 10,
        maxFiles: 100,
        maxTotalBytes: 10_000,
        maxFileBytes: 5_000,
        maxDownloadsPerFile: 7,
      },
    });
  });

  it('keeps what was asked within the bounds, including no permissions at all', () => {
    const settings = newSessionSettings(
      {
        name: 'Photos',
        ttlSeconds: 604_800,
        guestPermissions: [],
        requireApproval: true,
        limits: { maxDevices: 1, maxDownloadsPerFile: 7 },
      },
      bounds,
    );
    assert.equal(settings.ttlSeconds, 604_800);
    assert.deepEqual(settings.guestPermissions, []);
    assert.equal(settings.requireApproval, true);
    assert.equal(settings.limits.maxDevices, 1);
    assert.equal(settings.limits.maxFiles, 100);
    assert.equal(settings.limits.maxDownloadsPerFile, 7);
  });

  it('names every field outside the bounds at once', () => {
    assert.deepEqual(
      fieldsOf(() =>
        newSessionSettings(
          { ttlSeconds: 59, limits: { maxDevices: 11, maxTotalBytes: 10_001 } },
          bounds,
        ),
      ),
      ['ttlSeconds', 'limits.maxDevices', 'limits.maxTotalBytes'],
    );
    assert.deepEqual(
      fieldsOf(() => newSessionSettings({ ttlSeconds: 604_801 }, bounds)),
      ['ttlSeconds'],
    );
  });
});

describe('sessionChange', () => {
  it('refuses an empty change', () => {
    assert.deepEqual(
      fieldsOf(() => sessionChange({}, bounds)),
      ['name'],
    );
  });

  it('checks ttlSeconds against the bounds', () => {
    assert.deepEqual(
      fieldsOf(() => sessionChange({ ttlSeconds: 1 }, bounds)),
      ['ttlSeconds'],
    );
    assert.deepEqual(sessionChange({ ttlSeconds: 60 }, bounds), {
      name: undefined,
      ttlSeconds: 60,
    });
    assert.deepEqual(sessionChange({ name: 'x' }, bounds), { name: 'x', ttlSeconds: undefined });
  });
});
