import type { ThrottlerStorage } from '@nestjs/throttler';

/**
 * Hands each throttler's hits to the storage named for it, the rest to `fallback`: the broad
 * per-client limit can count in reserved shares while the credential and pairing limits stay
 * exact, one shared hit per request.
 */
export class RoutingThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly byThrottler: ReadonlyMap<string, ThrottlerStorage>,
    private readonly fallback: ThrottlerStorage,
  ) {}

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): ReturnType<ThrottlerStorage['increment']> {
    const storage = this.byThrottler.get(throttlerName) ?? this.fallback;
    return storage.increment(key, ttl, limit, blockDuration, throttlerName);
  }
}
