import type { FileRecord } from '../files/file.repository.js';
import type { WriteFence } from './write-fence.js';

/**
 * The worker's side of files (collection `files`): batch reads for the purge, the upload sweep and
 * the reconciliation, and the batch writes that end a record. Single-file state changes stay in
 * FileRepository (transition, verification leases).
 *
 * Every write takes an optional `fence` as its last argument: given, each statement it sends
 * carries the deadline in its filter and changes nothing once the server's clock reached
 * `fence.notAfter` (it then reports 0 / false, as if nothing had matched).
 */
export abstract class FileLifecycleRepository {
  /**
   * Up to `limit` files of any status whose session is one of `sessionIds`, by session, then
   * oldest first (sessionId, createdAt, id): a stable order, the one of the index that serves the
   * `$in` on sessionId (an order by id alone would make the database sort every match).
   */
  abstract findBySessions(sessionIds: readonly string[], limit: number): Promise<FileRecord[]>;

  /**
   * Deletes the records among `ids` whose session is one of `sessionIds` (never a file of another
   * session, whatever the ids). Returns how many were deleted (0 past the fence).
   */
  abstract deleteOfSessions(
    ids: readonly string[],
    sessionIds: readonly string[],
    fence?: WriteFence,
  ): Promise<number>;

  /**
   * Up to `limit` `rejected` or `deleted` files whose object is not confirmed gone
   * (objectPurgedAt null) and whose last upload URL has expired at `now` (uploadUrlExpiresAt, or
   * uploadExpiresAt when none was recorded), oldest first (createdAt, id).
   */
  abstract findObjectPurgeDue(now: Date, limit: number): Promise<FileRecord[]>;

  /**
   * After their objects were deleted for good: deletes the `deleted` records among `ids` (a
   * deleted file is not listed anywhere, its record's work is done) and sets objectPurgedAt = now
   * on the `rejected` ones (kept, so the owner still sees why, until the session is purged).
   */
  abstract settlePurged(
    ids: readonly string[],
    now: Date,
    fence?: WriteFence,
  ): Promise<{ removed: number; marked: number }>;

  /**
   * Up to `limit` `pending` files whose uploadExpiresAt is at or before `now`, the longest
   * expired first.
   */
  abstract findAbandoned(now: Date, limit: number): Promise<FileRecord[]>;

  /** The records among `ids` that exist (any status), in no particular order. */
  abstract findByIds(ids: readonly string[]): Promise<FileRecord[]>;

  /**
   * Up to `limit` files in status `ready` (their object must exist) whose storageKey is greater
   * than `after` (null: from the start) and at most `upTo` (null: no upper bound), ascending by
   * storageKey in binary order (S3's listing order), for a merge with the listing.
   */
  abstract findReadyInKeyRange(
    after: string | null,
    upTo: string | null,
    limit: number,
  ): Promise<FileRecord[]>;

  /**
   * Flags a `ready` file whose object storage no longer holds (objectMissingAt = now, internal,
   * not part of FileRecord). True when newly flagged, false when already flagged, not ready, or
   * past the fence.
   */
  abstract flagObjectMissing(id: string, now: Date, fence?: WriteFence): Promise<boolean>;
}
