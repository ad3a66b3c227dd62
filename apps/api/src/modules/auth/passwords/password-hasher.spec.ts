import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@app/common';
import { HashingQueue } from './hashing-queue.js';
import {
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

const busy = (err: unknown): boolean =>
  err instanceof AppError &&
  err.code === 'CREDENTIALS_BUSY' &&
  [1, 2, 3].includes(err.retryAfterSeconds ?? 0);

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HashingQueue', () => {
  it('runs at most maxRunning at once, the rest in arrival order, and frees a failed slot', async () => {
    const queue = new HashingQueue(2, 10);
    const releases: (() => void)[] = [];
    const started: number[] = [];
    const tasks = Array.from({ length: 5 }, (_, i) =>
      queue.run(async () => {
        started.push(i);
        await new Promise<void>((resolve) => releases.push(resolve));
        if (i === 0) throw new Error('task 0 fails');
        return i;
      }),
    );
    await Promise.resolve();
    assert.deepEqual(queue.load, { running: 2, waiting: 3 });
    assert.deepEqual(started, [0, 1]);

    // Task 0 fails: its slot goes to the next waiter all the same.
    releases[0]?.();
    await assert.rejects(tasks[0], /task 0 fails/);
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    assert.deepEqual(queue.load, { running: 2, waiting: 2 });

    for (let next = 1; next < 5; next++) {
      releases[next]?.();
      assert.equal(await tasks[next], next);
      await tick();
    }
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.deepEqual(queue.load, { running: 0, waiting: 0 });
  });

  it('refuses beyond running + waiting with CREDENTIALS_BUSY at once, and admits again once a place is free', async () => {
    const queue = new HashingQueue(1, 2);
    const releases: (() => void)[] = [];
    const work = () => new Promise<void>((resolve) => releases.push(resolve));
    const admitted = [queue.run(work), queue.run(work), queue.run(work)];
    await Promise.resolve();
    assert.deepEqual(queue.load, { running: 1, waiting: 2 });
    // The 4th and 5th are refused synchronously, with nothing queued for them.
    assert.throws(() => queue.admit(), busy);
    await assert.rejects(queue.run(work), busy);
    assert.deepEqual(queue.load, { running: 1, waiting: 2 });
    releases[0]?.();
    await admitted[0];
    await tick();
    assert.deepEqual(queue.load, { running: 1, waiting: 1 });
    const fourth = queue.run(work);
    assert.throws(() => queue.admit(), busy);
    for (let i = 1; i < 4; i++) {
      await tick();
      releases[i]?.();
    }
    await Promise.all([...admitted, fourth]);
    assert.deepEqual(queue.load, { running: 0, waiting: 0 });
  });

  it('counts an admitted place before it runs, and frees it on release without running', async () => {
    const queue = new HashingQueue(1, 0);
    const place = queue.admit();
    assert.deepEqual(queue.load, { running: 0, waiting: 1 });
    assert.throws(() => queue.admit(), busy);
    place.release();
    place.release(); // idempotent
    assert.deepEqual(queue.load, { running: 0, waiting: 0 });
    await assert.rejects(
      place.run(() => Promise.resolve(1)),
      /one derivation/,
    );
    const again = queue.admit();
    assert.equal(await again.run(() => Promise.resolve(7)), 7);
    assert.deepEqual(queue.load, { running: 0, waiting: 0 });
  });
});

describe('PasswordHasher under a burst', () => {
  it('derives maxRunning at a time, queues up to maxWaiting and refuses the rest at once', async () => {
    const hasher = new PasswordHasher(cheap, new HashingQueue(2, 4));
    const burst = Array.from({ length: 12 }, (_, i) =>
      hasher.hash(`password ${String(i)}`).then(
        (stored) => ({ i, stored }),
        (err: unknown) => ({ i, err }),
      ),
    );
    await Promise.resolve();
    assert.deepEqual(hasher.queue.load, { running: 2, waiting: 4 });
    const results = await Promise.all(burst);
    const hashed = results.filter((r) => 'stored' in r);
    const refused = results.filter((r) => 'err' in r);
    assert.deepEqual(
      hashed.map((r) => r.i),
      [0, 1, 2, 3, 4, 5],
    );
    assert.ok(refused.every((r) => busy(r.err)));
    assert.equal(refused.length, 6);
    assert.deepEqual(hasher.queue.load, { running: 0, waiting: 0 });
    const checks = await Promise.all(
      hashed.map((r) => hasher.verify(`password ${String(r.i)}`, r.stored)),
    );
    assert.deepEqual(checks, Array<boolean>(6).fill(true));
  });
});
