/** A lease a worker holds on one job (collection `leases`, `_id` = the job's name). */
export interface JobLease {
  job: string;
  /** The holder: unique per worker process (host, pid and a random suffix). */
  owner: string;
  /** Grows by one on every acquisition; a write is valid only under the current fence. */
  fence: number;
  /** The lease lapses then unless renewed. */
  until: Date;
}

export interface LeaseTerms {
  /** The lease lasts this long from `now` unless renewed. */
  ttlMs: number;
  /**
   * The least time between the starts of two completed runs: the job is not due while its last
   * completed run (on any replica) started less than this before `now`.
   */
  gapMs: number;
}

/** Why acquire() handed no lease over. */
export type LeaseRefusal =
  /** Another run (this process's or another replica's) holds the lease: the job runs there. */
  | 'held'
  /** Nobody holds it, but the last completed run started less than `gapMs` ago. */
  | 'not_due';

export type LeaseAcquisition = { lease: JobLease } | { lease: null; refused: LeaseRefusal };

/** How a run ends its holding. */
export type LeaseRelease =
  /** The run failed: the job is due again at once, on any replica. */
  | { completed: false }
  /** The run that started at `startedAt` (the `now` it acquired at) completed. */
  | { completed: true; startedAt: Date };

/**
 * Leases of the worker's lifecycle jobs, so that with several worker replicas each job runs once
 * per interval. Every change is one atomic conditional update of the job's document.
 */
export abstract class JobLeaseRepository {
  /**
   * Takes the lease of `job` for `owner` until `now + ttlMs` when it is free (no document yet,
   * released, or expired at `now`) and due (no run completed yet, or the last completed one
   * started at least `gapMs` before `now`). One conditional update with upsert: `fence` grows by
   * one on every acquisition, so a takeover always holds a higher fence than any earlier holder.
   * When refused nothing changes, and one read of the document tells `held` from `not_due`
   * (informational: the two may trade places while it is sent).
   */
  abstract acquire(
    job: string,
    owner: string,
    now: Date,
    terms: LeaseTerms,
  ): Promise<LeaseAcquisition>;

  /**
   * Extends `lease` to `now + ttlMs` when it is still held: same owner and fence, not expired at
   * `now`. The renewed lease, or null when it was lost (expired and taken over, or expired):
   * the holder must stop writing then.
   */
  abstract renew(lease: JobLease, now: Date, ttlMs: number): Promise<JobLease | null>;

  /**
   * Ends `lease` at once (until = now) when it is still this holder's (same owner and fence), so
   * the job is free for the next tick of any replica. A completed run also records its start,
   * which keeps the job not due until `gapMs` after it, and lastCompletedAt = now. No-op when a
   * takeover happened meanwhile.
   */
  abstract release(lease: JobLease, now: Date, end: LeaseRelease): Promise<void>;
}
