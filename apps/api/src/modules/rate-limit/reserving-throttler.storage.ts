import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimitRepository } from '@app/database';
import { ReservationMap } from './reservation-map.js';
import { chunkSize, grantOf, type Reservation } from './reservation.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export interface ReservingThrottlerOptions {
  clock?: () => Date;
  /** Most keys held in memory at once (see ReservationMap). */
  maxKeys?: number;
}

const DEFAULT_MAX_KEYS = 50_000;

const secondsUntil = (end: number, now: number): number =>
  Math.max(1, Math.ceil((end - now) / 1000));

/**
 * The shared counters of MongoThrottlerStorage, claimed a share at a time instead of one hit per
 * request: a replica adds a chunk of hits to the shared counter in one atomic $inc and admits
 * that many requests from memory, then claims again. Chunks start at one hit per window and
 * double as they are used up, up to an eighth of what the replica last saw left (reservation.ts),
 * and what a claim grants is only the part of its chunk below the limit, so the admissions of all
 * replicas in one window never add up to more than the limit. The price is on the other side: a
 * replica may hold part of a chunk that its clients no longer use, never more than it has
 * admitted in the window (plus one) nor more than an eighth of the limit, rounded up.
 *
 * Concurrent requests for a key share one claim in flight. A key over its limit is blocked in
 * MongoDB for `blockDuration`, as MongoThrottlerStorage does, and the replica refuses it from
 * memory until the block ends. A claim that fails fails its requests and leaves nothing behind:
 * the next request claims again.
 */
export class ReservingThrottlerStorage implements ThrottlerStorage {
  private readonly clock: () => Date;
  private readonly reservations: ReservationMap;

  constructor(
    private readonly limits: RateLimitRepository,
    options: ReservingThrottlerOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.reservations = new ReservationMap(options.maxKeys ?? DEFAULT_MAX_KEYS);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const reservation = this.reservations.obtain(key, this.clock().getTime());
    for (;;) {
      const now = this.clock();
      const at = now.getTime();
      if (reservation.blockedUntil > at) return blocked(reservation, at);
      if (reservation.windowEndsAt > at && reservation.left > 0) {
        reservation.left -= 1;
        return admitted(reservation, limit, at);
      }
      // Out of grant: claim, or wait for the claim in flight, then look again (the waiters
      // before this one may have taken all it granted).
      if (reservation.claiming === null) {
        this.reservations.touch(key, reservation);
        reservation.claiming = this.claim(key, reservation, ttl, limit, blockDuration, now).finally(
          () => {
            reservation.claiming = null;
          },
        );
      }
      await reservation.claiming;
    }
  }

  private async claim(
    key: string,
    reservation: Reservation,
    ttl: number,
    limit: number,
    blockDuration: number,
    now: Date,
  ): Promise<void> {
    const at = now.getTime();
    const live = reservation.windowEndsAt > at;
    const chunk = chunkSize(limit, live ? reservation.seenHits : 0, live ? reservation.granted : 0);
    const counter = await this.limits.hit(key, ttl, now, chunk);
    // Another window than the one this replica knew (it ended, or another replica restarted
    // it): the replica starts over there with what this claim granted.
    const sameWindow = live && counter.windowEndsAt.getTime() === reservation.windowEndsAt;
    reservation.windowEndsAt = counter.windowEndsAt.getTime();
    reservation.seenHits = counter.hits;
    reservation.left = grantOf(limit, counter.hits, chunk);
    reservation.granted = (sameWindow ? reservation.granted : 0) + reservation.left;
    // A block another replica (or an earlier claim) set wins over any grant, as it always did.
    const sharedBlock = counter.blockedUntil?.getTime() ?? 0;
    if (sharedBlock > at) {
      reservation.left = 0;
      reservation.blockedUntil = sharedBlock;
      return;
    }
    if (reservation.left === 0) {
      const until = await this.limits.block(key, new Date(at + blockDuration), now);
      reservation.blockedUntil = until.getTime();
    }
  }
}

// The hits this replica accounts for: the shared count it saw (up to the limit: a claim that ran
// over was granted only the rest), less what it has not handed out yet.
const admitted = (r: Reservation, limit: number, now: number): ThrottlerStorageRecord => ({
  totalHits: Math.min(r.seenHits, limit) - r.left,
  timeToExpire: secondsUntil(r.windowEndsAt, now),
  isBlocked: false,
  timeToBlockExpire: 0,
});

const blocked = (r: Reservation, now: number): ThrottlerStorageRecord => ({
  totalHits: r.seenHits,
  timeToExpire: secondsUntil(r.windowEndsAt, now),
  isBlocked: true,
  timeToBlockExpire: secondsUntil(r.blockedUntil, now),
});
