// RateLimitRepository in process memory, for specs of the throttler storage. Same contract as
// the MongoDB one (libs/database/test/rate-limit.repository.spec.ts): fixed windows per key,
// hits counted one or `count` at a time, and a block that a shorter one never cuts short.
import { RateLimitRepository, type RateLimitCounter } from '@app/database';

export class InMemoryRateLimitRepository extends RateLimitRepository {
  private readonly counters = new Map<string, RateLimitCounter>();

  hit(key: string, windowMs: number, now: Date, count = 1): Promise<RateLimitCounter> {
    if (!Number.isSafeInteger(count) || count < 1) {
      return Promise.reject(new RangeError(`hit count must be a positive integer: ${count}`));
    }
    const current = this.counters.get(key);
    const next: RateLimitCounter =
      current === undefined || current.windowEndsAt <= now
        ? {
            hits: count,
            windowEndsAt: new Date(now.getTime() + windowMs),
            blockedUntil: current?.blockedUntil ?? null,
          }
        : { ...current, hits: current.hits + count };
    this.counters.set(key, next);
    return Promise.resolve({ ...next });
  }

  block(key: string, until: Date, now: Date): Promise<Date> {
    const current = this.counters.get(key);
    if (current === undefined) return Promise.resolve(until);
    if (current.blockedUntil !== null && current.blockedUntil > now) {
      return Promise.resolve(current.blockedUntil);
    }
    this.counters.set(key, { ...current, blockedUntil: until });
    return Promise.resolve(until);
  }
}
