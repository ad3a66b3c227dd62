// The arithmetic of a replica's share of a shared rate-limit budget (see
// reserving-throttler.storage.ts for how it is used).

/**
 * What one replica holds for one key: its view of the shared counter after its last claim, what
 * it has not handed out yet of what that claim granted, and a block it knows of.
 */
export interface Reservation {
  /** End of the window the last claim counted in (epoch ms; 0 before the first claim). */
  windowEndsAt: number;
  /** The shared hits after the last claim, every replica's included. */
  seenHits: number;
  /** Admissions granted by the last claim and not handed out yet. */
  left: number;
  /** Admissions granted to this replica in the window of its last claim, all claims together. */
  granted: number;
  /** End of a block this replica knows of (epoch ms; 0 when none). */
  blockedUntil: number;
  /** The claim in flight for this key, which every concurrent request waits for. */
  claiming: Promise<void> | null;
}

export const newReservation = (): Reservation => ({
  windowEndsAt: 0,
  seenHits: 0,
  left: 0,
  granted: 0,
  blockedUntil: 0,
  claiming: null,
});

// A claim takes an eighth of what is left: few round trips while plenty is left, and a smaller
// share stranded on a replica that its clients stop reaching as the budget runs out.
const SHARE_OF_REMAINING = 8;

/**
 * How many hits to claim: an eighth of what this replica last saw left of the budget, but never
 * more than one plus what the replica was granted in the window so far (`granted`), at least one.
 * The first claim of a window is one hit, then 2, 4, 8... as the replica's own clients use them
 * up. So a replica never holds more unused hits than it has admitted (plus one), whatever the
 * number of replicas: with R replicas, all the unused shares together stay under what was
 * admitted plus R, and a client is refused early only after at least (limit − R) / 2 of its
 * requests in the window passed. Without the doubling rule, nine replicas' first eighths would
 * have taken more than the whole budget, and the ninth would have blocked a client that had
 * sent a handful of requests. Below 16 the eighth is always one: small limits are counted per
 * request, exactly.
 */
export function chunkSize(limit: number, seenHits: number, granted: number): number {
  return Math.max(1, Math.min(Math.floor((limit - seenHits) / SHARE_OF_REMAINING), granted + 1));
}

/**
 * What a claim of `chunk` grants, given the shared hits after its $inc: the part of the claimed
 * range [hitsAfter − chunk, hitsAfter) that lies below the limit. The ranges of concurrent claims
 * from any replicas never overlap (each is one atomic $inc), so the grants of one window never
 * sum above the limit.
 */
export function grantOf(limit: number, hitsAfter: number, chunk: number): number {
  return Math.min(chunk, Math.max(0, limit - (hitsAfter - chunk)));
}

/** Nothing left worth keeping: no claim in flight, and its window and its block have ended. */
export const isSpent = (r: Reservation, now: number): boolean =>
  r.claiming === null && r.windowEndsAt <= now && r.blockedUntil <= now;
