import type { SessionEventInput } from '../sessions/session.types.js';

export type FileSlotResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'not_found' | 'inactive' | 'too_many_files' | 'too_many_bytes' | 'file_too_large';
    };

/**
 * The file side of a session document: its `stats.files` / `stats.bytes` reservations and its
 * file events. Lives on the sessions collection; used by the files module (and the worker).
 */
export abstract class SessionFilesRepository {
  /**
   * Reserves one file and `size` bytes on a session that is `active` and not past `expiresAt`
   * at `now`, in one conditional update: `stats.files < limits.maxFiles`,
   * `stats.bytes + size <= limits.maxTotalBytes`, `size <= limits.maxFileBytes`. Concurrent
   * reservations never exceed the limits. No event. On refusal the reason says why:
   * `not_found`, `inactive` (closed, expired or past expiresAt), `file_too_large` (size over
   * maxFileBytes), `too_many_files`, `too_many_bytes`; nothing changes then. `size` must be a
   * non-negative integer (RangeError otherwise).
   */
  abstract reserve(sessionId: string, size: number, now: Date): Promise<FileSlotResult>;

  /**
   * Gives a reservation back (rejected, deleted or abandoned file), whatever the session's status.
   * Never below zero: a release larger than what the session holds changes nothing. No event.
   */
  abstract release(sessionId: string, size: number): Promise<void>;

  /**
   * Records a file event (file.declared, file.ready, file.rejected, file.downloaded,
   * file.deleted) with the next gapless `seq`, whatever the session's status (the worker may
   * verify a file after its session ended). No-op when the session no longer exists.
   */
  abstract recordEvent(sessionId: string, now: Date, event: SessionEventInput): Promise<void>;

  /**
   * recordEvent for a request that only needs the event not to be lost (a download grant): it
   * resolves once the event is committed with its `seq`; the copy that makes it readable follows
   * without holding the request. Listing a session's events still shows it at once (a list
   * copies what is pending first), and live streams get it from the copy, as any other.
   */
  abstract commitEvent(sessionId: string, now: Date, event: SessionEventInput): Promise<void>;
}
