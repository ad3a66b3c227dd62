import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CODE_ALPHABET,
  deriveSecret,
  hashCode,
  hashSecret,
  newCode,
  newNonce,
  newPollSecret,
  normalizeCode,
} from './pairing-codes.js';

describe('pairing codes', () => {
  it('are shown as XXXX-XXXX from the RFC 8628 alphabet', () => {
    for (let i = 0; i < 200; i++) {
      assert.match(newCode(), /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    }
    assert.equal(CODE_ALPHABET.length, 20);
    assert.equal(new Set(CODE_ALPHABET).size, 20);
  });

  it('use every character of the alphabet, roughly evenly', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const ch of newCode().replace('-', '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    assert.equal(counts.size, 20);
    // 16000 draws, 800 expected per character; 600 is > 7 standard deviations away.
    for (const [ch, n] of counts) assert.ok(n > 600 && n < 1000, `${ch}: ${String(n)}`);
  });

  it('compare without the dash, whitespace or case', () => {
    for (const typed of ['BCDF-GHJK', 'bcdf-ghjk', 'BCDFGHJK', 'bcdfghjk', ' bc df\tgh-jk ']) {
      assert.equal(normalizeCode(typed), 'BCDFGHJK', typed);
    }
  });

  it('refuse what cannot be a code', () => {
    for (const typed of [
      '',
      'BCDF-GHJ',
      'BCDF-GHJKL',
      'ABCD-EFGH',
      'BCDF-GHJ0',
      'BCDF_GHJK',
      'ＢＣＤＦ-ＧＨＪＫ',
    ]) {
      assert.equal(normalizeCode(typed), null, typed);
    }
  });

  it('are stored as an HMAC under the code key, never in the clear', () => {
    const key = randomBytes(32);
    const hash = hashCode(key, 'BCDFGHJK');
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(hash, createHmac('sha256', key).update('BCDFGHJK').digest('hex'));
    assert.notEqual(hashCode(randomBytes(32), 'BCDFGHJK'), hash, 'another key, another hash');
  });
});

describe('pairing secrets', () => {
  const key = randomBytes(32);

  it('derive 256 bits (43 base64url characters) from the pairing id and nonce', () => {
    const secret = deriveSecret(key, 'mZ3q8V0xT2kR9bYcLw4n1A', newNonce());
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
  });

  it('are the same on every replica holding the key, and differ per nonce, id and key', () => {
    const nonce = newNonce();
    const secret = deriveSecret(key, 'mZ3q8V0xT2kR9bYcLw4n1A', nonce);
    assert.equal(deriveSecret(Buffer.from(key), 'mZ3q8V0xT2kR9bYcLw4n1A', nonce), secret);
    assert.notEqual(deriveSecret(key, 'mZ3q8V0xT2kR9bYcLw4n1A', newNonce()), secret);
    assert.notEqual(deriveSecret(key, 'nZ3q8V0xT2kR9bYcLw4n1A', nonce), secret);
    assert.notEqual(deriveSecret(randomBytes(32), 'mZ3q8V0xT2kR9bYcLw4n1A', nonce), secret);
  });

  it('are stored as SHA-256 hex', () => {
    assert.equal(
      hashSecret('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('poll secrets and nonces are random base64url', () => {
    assert.match(newPollSecret(), /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newPollSecret(), newPollSecret());
    assert.match(newNonce(), /^[A-Za-z0-9_-]{22}$/);
  });
});
