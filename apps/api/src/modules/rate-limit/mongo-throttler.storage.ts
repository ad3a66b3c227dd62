import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimitRepository } from '@app/database';

interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

const secondsUntil = (end: Date, now: Date): number =>
  Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000));

/**
 * Throttler counters in MongoDB, so every API replica enforces one shared limit. A key over its
 * limit is blocked for `blockDuration`; while blocked, every hit is refused.
 */
export class MongoThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly limits: RateLimitRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.clock();
    const counter = await this.limits.hit(key, ttl, now);
    let blockedUntil =
      counter.blockedUntil !== null && counter.blockedUntil > now ? counter.blockedUntil : null;
    if (blockedUntil === null && counter.hits > limit) {
      blockedUntil = await this.limits.block(key, new Date(now.getTime() + blockDuration), now);
    }
    return {
      totalHits: counter.hits,
      timeToExpire: secondsUntil(counter.windowEndsAt, now),
      isBlocked: blockedUntil !== null,
      timeToBlockExpire: blockedUntil === null ? 0 : secondsUntil(blockedUntil, now),
    };
  }
}
