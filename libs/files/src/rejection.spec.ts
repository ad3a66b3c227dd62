import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  base64Sha256ToHex,
  hexSha256ToBase64,
  integrityMismatch,
  reasonOf,
  rejectionText,
} from './rejection.js';

const hex = createHash('sha256').update('hello').digest('hex');
const b64 = createHash('sha256').update('hello').digest('base64');

describe('integrityMismatch', () => {
  it('accepts the declared size and hash', () => {
    assert.equal(integrityMismatch({ size: 5, sha256: hex }, { size: 5, sha256Hex: hex }), null);
  });

  it('names the size first, then the checksum', () => {
    const size = integrityMismatch(
      { size: 6, sha256: hex },
      { size: 5, sha256Hex: 'f'.repeat(64) },
    );
    assert.equal(size?.reason, 'size');
    assert.match(size?.detail ?? '', /5 bytes, 6 were declared/);
    const sum = integrityMismatch({ size: 5, sha256: hex }, { size: 5, sha256Hex: 'f'.repeat(64) });
    assert.equal(sum?.reason, 'checksum');
    assert.match(sum?.detail ?? '', new RegExp(hex));
  });

  it('refuses an object storage holds no SHA-256 for', () => {
    assert.equal(
      integrityMismatch({ size: 5, sha256: hex }, { size: 5, sha256Hex: null })?.reason,
      'checksum',
    );
  });
});

describe('SHA-256 encodings', () => {
  it('converts between S3’s base64 and lower-case hex', () => {
    assert.equal(base64Sha256ToHex(b64), hex);
    assert.equal(hexSha256ToBase64(hex), b64);
  });

  it('reads anything but a base64 SHA-256 as none (a composite multipart checksum too)', () => {
    for (const value of [undefined, null, '', 'abc', `${b64}-3`, b64.slice(1)]) {
      assert.equal(base64Sha256ToHex(value), null, String(value));
    }
  });
});

describe('rejection text', () => {
  it('stores the reason in front of the detail and reads it back', () => {
    const text = rejectionText({ reason: 'content', detail: 'looks like a PE executable' });
    assert.equal(text, 'content: looks like a PE executable');
    assert.equal(reasonOf(text), 'content');
    assert.equal(reasonOf('verification: verification failed 5 times'), 'verification');
    assert.equal(reasonOf('whatever'), null);
    assert.equal(reasonOf(null), null);
  });
});
