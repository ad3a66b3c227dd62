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

/** What operators (and the worker's health) read back about a job. */
export interface JobLeaseState extends JobLease {
  /** When a run of the job last finished successfully (any replica); null before the first. */
  lastCompletedAt: Date | null;
}

/**
 * Leases of the worker's lifecycle jobs, so that with several worker replicas each job runs once
 * per tick. Every method is one atomic (conditional) operation on the job's document.
 */
export abstract class JobLeaseRepository {
  /**
   * Takes the lease of `job` for `owner` until `now + ttlMs` when it is free: no document yet,
   * released, or expired at `now`. One conditional update with upsert: `fence` grows by one on
   * every acquisition, so a takeover always holds a higher fence than any earlier holder. Null
   * when another holder's lease is still running (nothing changes then).
   */
  abstract acquire(job: string, owner: string, now: Date, ttlMs: number): Promise<JobLease | null>;

  /**
   * Extends `lease` to `now + ttlMs` when it is still held: same owner and fence, not expired at
   * `now`. The renewed lease, or null when it was lost (expired and taken over, or expired):
   * the holder must stop writing then.
   */
  abstract renew(lease: JobLease, now: Date, ttlMs: number): Promise<JobLease | null>;

  /**
   * Ends `lease` at once (until = now) when it is still held, so the next tick of any replica may
   * take the job; with `completed`, also records lastCompletedAt = now. No-op when lost.
   */
  abstract release(lease: JobLease, now: Date, completed: boolean): Promise<void>;

  /** Every job's lease document, by job name. */
  abstract list(): Promise<JobLeaseState[]>;
}
