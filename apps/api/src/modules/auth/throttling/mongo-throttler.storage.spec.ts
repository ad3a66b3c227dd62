import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RateLimitCounter, RateLimitRepository } from '@app/database';
import { MongoThrottlerStorage } from './mongo-throttler.storage.js';

// An in-memory stand-in with the repository's contract; the real one has its own spec.
class FakeLimits implements RateLimitRepository {
  private readonly counters = new Map<string, RateLimitCounter>();

  hit(key: string, windowMs: number, now: Date): Promise<RateLimitCounter> {
    const current = this.counters.get(key);
    const next: RateLimitCounter =
      current === undefined || current.windowEndsAt <= now
        ? {
            hits: 1,
            windowEndsAt: new Date(now.getTime() + windowMs),
            blockedUntil: current?.blockedUntil ?? null,
          }
        : { ...current, hits: current.hits + 1 };
    this.counters.set(key, next);
    return Promise.resolve(next);
  }

  block(key: string, until: Date, now: Date): Promise<Date> {
    const current = this.counters.get(key);
    if (current === undefined) return Promise.resolve(until);
    if (current.blockedUntil !== null && current.blockedUntil > now)
      return Promise.resolve(current.blockedUntil);
    this.counters.set(key, { ...current, blockedUntil: until });
    return Promise.resolve(until);
  }
}

describe('MongoThrottlerStorage', () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const storage = new MongoThrottlerStorage(new FakeLimits(), () => now);
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  it('allows up to the limit, then blocks for blockDuration with a Retry-After', async () => {
    for (let i = 1; i <= 3; i++) {
      const record = await storage.increment('k', 60_000, 3, 30_000, 'default');
      assert.equal(record.isBlocked, false);
      assert.equal(record.totalHits, i);
      assert.equal(record.timeToExpire, 60);
    }
    const over = await storage.increment('k', 60_000, 3, 30_000, 'default');
    assert.equal(over.isBlocked, true);
    assert.equal(over.timeToBlockExpire, 30);
  });

  it('stays blocked until the block ends, even in a new window', async () => {
    advance(20_000);
    const still = await storage.increment('k', 60_000, 3, 30_000, 'default');
    assert.equal(still.isBlocked, true);
    assert.equal(still.timeToBlockExpire, 10);
    advance(45_000);
    const fresh = await storage.increment('k', 60_000, 3, 30_000, 'default');
    assert.equal(fresh.isBlocked, false);
    assert.equal(fresh.totalHits, 1);
  });
});
