import type { WriteFence } from './write-fence.js';

/**
 * The worker's side of sessions: expiry, the purge bookkeeping and pruning. Every state change is
 * one conditional update (an ended session never becomes live again), recorded as a session
 * event through the same outbox as every other change, so repeating any step is harmless.
 *
 * Every write takes an optional `fence` as its last argument: given, each statement that changes
 * a session or its events carries the deadline in its filter and changes nothing once the
 * server's clock reached `fence.notAfter` (the method then reports nothing done). Copying an
 * outbox entry already committed into `events` is not fenced: it only completes a change that
 * stands.
 */
export abstract class SessionLifecycleRepository {
  /**
   * Moves up to `limit` sessions stored `active` whose expiresAt is at or before `now` to
   * `expired`, each in one conditional update that records `session.expired` (data:
   * `{ expiresAt: ISO string }`). Returns the ids it expired (a session expired or closed meanwhile
   * by someone else is skipped, and so is every one past the fence).
   */
  abstract expireDue(now: Date, limit: number, fence?: WriteFence): Promise<string[]>;

  /**
   * The ids among `ids` of sessions stored ended (`closed` or `expired`), in no particular order:
   * their files are the purge's, whatever state their objects are in.
   */
  abstract findEnded(ids: readonly string[]): Promise<string[]>;

  /**
   * Up to `limit` ids of ended sessions (stored `closed` or `expired`) whose files are not purged
   * yet (filesPurgedAt null), ascending, strictly after `afterId` when given.
   */
  abstract findEndedUnpurged(limit: number, afterId: string | null): Promise<string[]>;

  /**
   * Sets filesPurgedAt = now on an ended session not yet marked, recording `session.purged`
   * (data: `{ files: <records removed by this purge> }`). False when nothing matched (unknown,
   * live, already marked, or past the fence).
   */
  abstract markFilesPurged(
    id: string,
    now: Date,
    purged: { files: number },
    fence?: WriteFence,
  ): Promise<boolean>;

  /**
   * Clears filesPurgedAt of an ended session (a file record was found after its purge, e.g. a
   * declare that raced the close), so the purge takes it again. No event: the purge that follows
   * records its own `session.purged`. True when reopened; false (nothing changed) when it was not
   * an ended, purged session, or past the fence.
   */
  abstract reopenPurge(id: string, fence?: WriteFence): Promise<boolean>;

  /**
   * Up to `limit` ids of ended sessions whose filesPurgedAt is at or before `purgedBefore`, the
   * longest purged first.
   */
  abstract findPrunable(purgedBefore: Date, limit: number): Promise<string[]>;

  /**
   * Removes a session that is still ended and purged at or before `purgedBefore`: its events
   * first, then its document (a crash in between leaves the session, and the next run repeats
   * both). False when the session no longer qualifies (nothing deleted then). Both deletes are
   * fenced: a prune that arrives late deletes nothing and returns false.
   */
  abstract prune(id: string, purgedBefore: Date, fence?: WriteFence): Promise<boolean>;
}
