import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitRepository, type RateLimitCounter } from '@app/database';
import { InMemoryRateLimitRepository } from '../../../../../test/support/fakes/in-memory-rate-limit.repository.js';
import { ReservingThrottlerStorage } from './reserving-throttler.storage.js';

const WINDOW_MS = 60_000;
const BLOCK_MS = 30_000;

/**
 * The shared counters (one in-memory "database" for all replicas of a test), with every claim
 * recorded, claims that can be held in flight, and a failure on demand.
 */
class SharedCounters extends RateLimitRepository {
  readonly inner = new InMemoryRateLimitRepository();
  /** The count of every hit (claim) in order. */
  readonly claims: number[] = [];
  blocks = 0;
  inFlight = 0;
  maxInFlight = 0;
  failNext: Error | null = null;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }
  release(): void {
    this.open?.();
    this.gate = null;
  }

  async hit(key: string, windowMs: number, now: Date, count = 1): Promise<RateLimitCounter> {
    this.claims.push(count);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate !== null) await this.gate;
      const failure = this.failNext;
      this.failNext = null;
      if (failure !== null) throw failure;
      return await this.inner.hit(key, windowMs, now, count);
    } finally {
      this.inFlight -= 1;
    }
  }

  block(key: string, until: Date, now: Date): Promise<Date> {
    this.blocks += 1;
    return this.inner.block(key, until, now);
  }
}

/** Replicas (storages) on one set of shared counters and one clock. */
function cluster(limit: number, replicas = 1) {
  let now = new Date('2026-01-01T00:00:00Z');
  const shared = new SharedCounters();
  const storages = Array.from(
    { length: replicas },
    () => new ReservingThrottlerStorage(shared, { clock: () => now }),
  );
  return {
    shared,
    hit: (replica = 0, key = 'default:client') =>
      storages[replica].increment(key, WINDOW_MS, limit, BLOCK_MS, 'default'),
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

const passedOf = (records: { isBlocked: boolean }[]) => records.filter((r) => !r.isBlocked).length;

describe('ReservingThrottlerStorage', () => {
  it('claims one hit first, then doubles up to an eighth of what it last saw left', async () => {
    const { shared, hit } = cluster(400);
    const first = await hit();
    assert.deepEqual(first, {
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    for (let i = 2; i <= 63; i++) assert.equal((await hit()).totalHits, i);
    assert.deepEqual(shared.claims, [1, 2, 4, 8, 16, 32], 'each claim one more than all before');
    // Then chunks shrink as the budget runs out: floor((400 − seen) / 8) each time.
    for (let i = 64; i <= 400; i++) {
      const record = await hit();
      assert.equal(record.isBlocked, false, `request ${String(i)}`);
      assert.equal(record.totalHits, i, 'X-RateLimit-Remaining counts down one by one');
    }
    assert.deepEqual(
      shared.claims.slice(0, 8),
      [1, 2, 4, 8, 16, 32, 42, 36],
      'doubling, then an eighth of the rest',
    );
    assert.equal(
      shared.claims.reduce((a, b) => a + b, 0),
      400,
    );
    assert.equal(shared.claims.length, 46, '46 round trips for 400 requests');
    assert.ok(
      shared.claims.slice(-8).every((c) => c === 1),
      'the last few hits go one by one',
    );
    const over = await hit();
    assert.equal(over.isBlocked, true);
    assert.equal(over.timeToBlockExpire, 30);
  });

  it('counts every request of a small limit in the database, as before', async () => {
    const { shared, hit } = cluster(15);
    const records = await Promise.all(Array.from({ length: 20 }, () => hit()));
    assert.equal(passedOf(records), 15);
    assert.deepEqual(shared.claims, Array<number>(16).fill(1), 'one round trip per request');
  });

  it('never admits more than the limit across two replicas, interleaved or concurrent', async () => {
    const limit = 400;
    {
      // Alternating, one at a time: both replicas keep getting requests, so every grant is used.
      const { hit, shared } = cluster(limit, 2);
      const records = [];
      for (let i = 0; i < 3 * limit; i++) records.push(await hit(i % 2));
      assert.equal(passedOf(records), limit, 'exactly the limit passes');
      assert.equal(
        records.slice(limit).filter((r) => !r.isBlocked).length,
        0,
        'none after the refusals began',
      );
      assert.ok(shared.claims.length < limit / 4, `${String(shared.claims.length)} claims`);
    }
    {
      // All at once, alternating between replicas: the claims race each other.
      const { hit, shared } = cluster(limit, 2);
      const records = await Promise.all(Array.from({ length: 3 * limit }, (_, i) => hit(i % 2)));
      assert.equal(passedOf(records), limit);
      assert.ok(shared.maxInFlight <= 2, 'at most one claim per replica at once');
    }
  });

  it('strands no more than it admitted (plus one) on a replica that its clients stop reaching', async () => {
    const limit = 400;
    const { hit } = cluster(limit, 2);
    // B serves 8 (claims of 1, 2, 4 and 8: 15) and then sees no more traffic.
    for (let i = 0; i < 8; i++) assert.equal((await hit(1)).isBlocked, false);
    const onA = [];
    for (let i = 0; i < limit; i++) onA.push(await hit(0));
    assert.equal(passedOf(onA), limit - 15, "B's 8 and its unused 7 are out of reach");
  });

  it('never locks a light client out, however many replicas share its budget', async () => {
    // Twelve replicas, round robin, a client well under its limit (the first eighths of nine
    // replicas alone would have taken the whole budget and blocked it).
    const limit = 300;
    const { hit, shared, advance } = cluster(limit, 12);
    for (let window = 0; window < 3; window++) {
      const records = [];
      for (let i = 0; i < 120; i++) records.push(await hit(i % 12));
      assert.equal(passedOf(records), 120, `window ${String(window)}: all passed`);
      advance(WINDOW_MS);
    }
    assert.equal(shared.blocks, 0, 'never blocked');
  });

  it('shares one claim in flight among concurrent requests of a key', async () => {
    const { shared, hit } = cluster(400);
    shared.hold();
    const pending = Array.from({ length: 50 }, () => hit());
    await Promise.resolve();
    assert.deepEqual(shared.claims, [1], 'one claim for the 50 waiting requests');
    shared.release();
    const records = await Promise.all(pending);
    assert.deepEqual(
      records.map((r) => r.totalHits).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.deepEqual(shared.claims, [1, 2, 4, 8, 16, 32], 'one claim after another, doubling');
    // 13 are left of those 63; the other 31 of 44 come out of one more claim.
    shared.hold();
    const more = Array.from({ length: 44 }, () => hit());
    await Promise.resolve();
    shared.release();
    assert.equal(passedOf(await Promise.all(more)), 44);
    assert.deepEqual(shared.claims, [1, 2, 4, 8, 16, 32, 42]);
    assert.equal(shared.maxInFlight, 1, 'never two claims at once for one key');
  });

  it('refuses a blocked key from memory until the block ends', async () => {
    const { shared, hit, advance } = cluster(16, 2);
    for (let i = 0; i < 16; i++) assert.equal((await hit()).isBlocked, false);
    const over = await hit();
    assert.equal(over.isBlocked, true);
    assert.equal(over.timeToBlockExpire, 30);
    assert.equal(shared.blocks, 1);
    const claims = shared.claims.length;
    advance(10_000);
    for (let i = 0; i < 20; i++) {
      const refused = await hit();
      assert.equal(refused.isBlocked, true);
      assert.equal(refused.timeToBlockExpire, 20, 'Retry-After counts down');
    }
    assert.equal(shared.claims.length, claims, 'no round trip while the block is known');
    // The other replica learns of the block from its first claim, and keeps it too.
    const onB = await hit(1);
    assert.deepEqual([onB.isBlocked, onB.timeToBlockExpire], [true, 20]);
    assert.equal(shared.blocks, 1, 'B did not block again');
    // The block ends in a new window (the block outlasts the 60 s window here).
    advance(51_000);
    const after = await hit();
    assert.deepEqual([after.isBlocked, after.totalHits], [false, 1]);
    assert.equal((await hit(1)).isBlocked, false);
  });

  it('blocks again when a block ends inside the window that is still over its limit', async () => {
    const { hit, advance } = cluster(3);
    for (let i = 0; i < 3; i++) await hit();
    assert.equal((await hit()).isBlocked, true);
    advance(BLOCK_MS + 1_000);
    const again = await hit();
    assert.equal(again.isBlocked, true, 'the window (60 s) is not over yet');
    assert.equal(again.timeToBlockExpire, 30);
  });

  it('claims afresh when the window ends, however much of the chunk is left', async () => {
    const { shared, hit, advance } = cluster(400);
    for (let i = 0; i < 10; i++) await hit();
    advance(59_000);
    assert.equal((await hit()).timeToExpire, 1);
    assert.deepEqual(shared.claims, [1, 2, 4, 8]);
    advance(1_000);
    const next = await hit();
    assert.deepEqual(shared.claims, [1, 2, 4, 8, 1], 'a new window starts over at one hit');
    assert.deepEqual([next.totalHits, next.timeToExpire], [1, 60]);
  });

  it('fails the requests of a failing claim and claims again on the next one', async () => {
    const { shared, hit } = cluster(400);
    shared.hold();
    shared.failNext = new Error('connection refused');
    const waiting = Promise.allSettled(Array.from({ length: 3 }, () => hit()));
    shared.release();
    for (const outcome of await waiting) {
      assert.equal(outcome.status, 'rejected');
      assert.match(String(outcome.reason), /connection refused/);
    }
    const next = await hit();
    assert.deepEqual([next.isBlocked, next.totalHits], [false, 1]);
    assert.deepEqual(shared.claims, [1, 1], 'the failed claim counted nothing; a new one ran');
  });

  it('keeps keys apart', async () => {
    const { hit } = cluster(3);
    for (let i = 0; i < 3; i++) await hit(0, 'a');
    assert.equal((await hit(0, 'a')).isBlocked, true);
    assert.equal((await hit(0, 'b')).isBlocked, false);
  });
});
