import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryRateLimitRepository } from '../../../../../test/support/fakes/in-memory-rate-limit.repository.js';
import { MongoThrottlerStorage } from './mongo-throttler.storage.js';

// Each test gets its own counters and clock (the real repository has its own spec).
// Limit 3 per window, then a 30 s block.
function throttler(windowMs = 60_000) {
  let now = new Date('2026-01-01T00:00:00Z');
  const storage = new MongoThrottlerStorage(new InMemoryRateLimitRepository(), () => now);
  return {
    hit: (key = 'k') => storage.increment(key, windowMs, 3, 30_000, 'default'),
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

describe('MongoThrottlerStorage', () => {
  it('allows up to the limit, then blocks for blockDuration with a Retry-After', async () => {
    const { hit } = throttler();
    for (let i = 1; i <= 3; i++) {
      const record = await hit();
      assert.equal(record.isBlocked, false);
      assert.equal(record.totalHits, i);
      assert.equal(record.timeToExpire, 60);
    }
    const over = await hit();
    assert.equal(over.isBlocked, true);
    assert.equal(over.timeToBlockExpire, 30);
    // Another key has its own budget.
    assert.equal((await hit('other')).isBlocked, false);
  });

  it('stays blocked until the block ends, even in a new window', async () => {
    // A 10 s window under a 30 s block: windows restart while the block runs.
    const { hit, advance } = throttler(10_000);
    for (let i = 0; i < 3; i++) assert.equal((await hit()).isBlocked, false);
    assert.equal((await hit()).timeToBlockExpire, 30);
    advance(15_000);
    const still = await hit();
    assert.equal(still.totalHits, 1, 'a new window has begun');
    assert.equal(still.isBlocked, true, 'the new window does not lift the block');
    assert.equal(still.timeToBlockExpire, 15);
    advance(16_000);
    const fresh = await hit();
    assert.equal(fresh.isBlocked, false);
    assert.equal(fresh.timeToBlockExpire, 0);
  });
});
