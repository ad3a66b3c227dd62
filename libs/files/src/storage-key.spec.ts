import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStorageKey, storageKeyOf } from './storage-key.js';

describe('storage keys', () => {
  it('parses back the ids a key was built from', () => {
    const key = storageKeyOf('S0_-abcdefghijklmnopqr', 'F0_-abcdefghijklmnopqr');
    assert.equal(key, 'sessions/S0_-abcdefghijklmnopqr/files/F0_-abcdefghijklmnopqr');
    assert.deepEqual(parseStorageKey(key), {
      sessionId: 'S0_-abcdefghijklmnopqr',
      fileId: 'F0_-abcdefghijklmnopqr',
    });
  });

  it('refuses any key storageKeyOf does not build', () => {
    for (const key of [
      'sessions/s1',
      'sessions/s1/files/',
      'sessions//files/f1',
      'sessions/s1/files/f1/extra',
      'sessions/s1/other/f1',
      'elsewhere/s1/files/f1',
      'sessions/s1/files/f1/',
    ]) {
      assert.equal(parseStorageKey(key), null, key);
    }
  });
});
