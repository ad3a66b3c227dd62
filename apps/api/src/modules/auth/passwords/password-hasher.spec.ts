import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConcurrencyLimit,
  derivationLoad,
  hashPassword,
  PasswordHasher,
  scryptParamsForLog2N,
  storedHashParams,
  verifyPassword,
} from './password-hasher.js';

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

describe('PasswordHasher', () => {
  it('hashes at the configured cost and verifies hashes of any cost', async () => {
    const hasher = new PasswordHasher(scryptParamsForLog2N(10));
    const stored = await hasher.hash('configured cost');
    assert.deepEqual(storedHashParams(stored), { n: 1024, r: 8, p: 1 });
    assert.equal(await hasher.verify('configured cost', stored), true);
    // A hash made at another cost (an older setting) still verifies.
    const older = await hashPassword('older cost', { n: 2 ** 11, r: 8, p: 1 });
    assert.equal(await hasher.verify('older cost', older), true);
    assert.equal(await hasher.verify('older cosT', older), false);
  });
});

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, the rest in arrival order, and frees a failed slot', async () => {
    const limit = new ConcurrencyLimit(2);
    const releases: (() => void)[] = [];
    const started: number[] = [];
    const tasks = Array.from({ length: 5 }, (_, i) =>
      limit.run(async () => {
        started.push(i);
        await new Promise<void>((resolve) => releases.push(resolve));
        if (i === 0) throw new Error('task 0 fails');
        return i;
      }),
    );
    await Promise.resolve();
    assert.deepEqual(limit.load, { running: 2, waiting: 3 });
    assert.deepEqual(started, [0, 1]);

    // Task 0 fails: its slot goes to the next waiter all the same.
    releases[0]?.();
    await assert.rejects(tasks[0], /task 0 fails/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1, 2]);
    assert.deepEqual(limit.load, { running: 2, waiting: 2 });

    for (let next = 1; next < 5; next++) {
      releases[next]?.();
      assert.equal(await tasks[next], next);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.deepEqual(limit.load, { running: 0, waiting: 0 });
  });
});

describe('password hasher under a burst', () => {
  it('derives two at a time and queues the rest, then finishes every one', async () => {
    assert.deepEqual(derivationLoad(), { running: 0, waiting: 0 });
    const burst = Array.from({ length: 12 }, (_, i) =>
      hashPassword(`password ${String(i)}`, cheap),
    );
    // The cap is process-wide: 2 derive, 10 wait, however many callers there are.
    assert.deepEqual(derivationLoad(), { running: 2, waiting: 10 });
    const hashes = await Promise.all(burst);
    assert.deepEqual(derivationLoad(), { running: 0, waiting: 0 });
    const checks = await Promise.all(
      hashes.map((stored, i) => verifyPassword(`password ${String(i)}`, stored)),
    );
    assert.deepEqual(checks, Array<boolean>(12).fill(true));
  });
});
