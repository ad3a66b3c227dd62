import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password-hasher.js';

// Low cost keeps the spec fast; the format and comparison are what is under test.
const cheap = { n: 2 ** 10, r: 8, p: 1 };

describe('password hasher', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    assert.match(stored, /^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
  });

  it('salts every hash', async () => {
    assert.notEqual(
      await hashPassword('same password', cheap),
      await hashPassword('same password', cheap),
    );
  });

  it('verifies hashes made with other cost parameters', async () => {
    const stored = await hashPassword('another one', { n: 2 ** 11, r: 4, p: 2 });
    assert.equal(await verifyPassword('another one', stored), true);
  });

  it('treats a malformed stored hash as a mismatch, not a crash', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$x$8$1$aa$bb',
      'bcrypt$1$2$3$4$5',
      'scrypt$1024$8$1$$',
      // Valid shape, absurd or invalid cost: refused before any memory is allocated.
      `scrypt$${String(2 ** 30)}$8$1$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(86)}`,
      `scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(86)}`,
    ]) {
      assert.equal(await verifyPassword('whatever', stored), false);
    }
  });

  it('uses the OWASP cost by default', async () => {
    const stored = await hashPassword('default cost');
    assert.match(stored, /^scrypt\$131072\$8\$1\$/);
    assert.equal(await verifyPassword('default cost', stored), true);
  });
});

describe('password hasher under a burst', () => {
  it('finishes every one of many concurrent hashes', async () => {
    const hashes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => hashPassword(`password ${String(i)}`, cheap)),
    );
    const checks = await Promise.all(
      hashes.map((stored, i) => verifyPassword(`password ${String(i)}`, stored)),
    );
    assert.deepEqual(checks, Array<boolean>(12).fill(true));
  });
});
