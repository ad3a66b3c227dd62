import type { JobName } from '@app/config';
import type { WriteFence } from '@app/database';

/** The run's lease is gone (expired, or taken over by another replica): stop, write nothing. */
export class LeaseLostError extends Error {
  constructor(job: string, detail: string) {
    super(`lease of job ${job} lost: ${detail}`);
    this.name = 'LeaseLostError';
  }
}

/**
 * A run that failed after doing part of its work: thrown at the end of the run, once the work
 * the failure did not block was done (what failed is left for the next run). `processed` counts
 * the items the run did process, as a completed run's return value would.
 */
export class PartialRunError extends Error {
  constructor(
    message: string,
    readonly processed: number,
  ) {
    super(message);
    this.name = 'PartialRunError';
  }
}

/**
 * The fence of one run. Both checks are synchronous so that nothing can run between them and the
 * write they guard: call one immediately before every write. A database write takes its deadline
 * from beforeWrite(), so that a write the process sends late (paused between its check and the
 * socket) is refused by the server itself; check() is for the writes that carry none (storage).
 */
export interface FenceGuard {
  /**
   * Throws LeaseLostError unless the run still holds its lease: the local clock is still a safety
   * margin before the lease's end (as last renewed), and no renewal found it taken over.
   */
  check(): void;
  /**
   * check(), then the deadline of the database write about to be sent: the lease's end as last
   * renewed, less the safety margin (the very instant from which check() throws). A write
   * carrying it changes nothing once the database's clock reaches it, whenever it gets there.
   */
  beforeWrite(): WriteFence;
  /** The fencing number of this run's lease (grows on every acquisition). */
  readonly fence: number;
}

export interface JobRun {
  /** When the run started; what is "due" is judged against it. */
  now: Date;
  guard: FenceGuard;
}

/**
 * One lifecycle job. A run does what is due at `run.now` in bounded batches, handing every
 * database write the deadline `run.guard.beforeWrite()` returns right before it (and calling
 * `run.guard.check()` before every storage write), and returns how many items it processed
 * (files purged, sessions expired…). Every run is idempotent and resumable: killed at any
 * instant, the next run (on any replica) finishes the work, never deleting a live file nor
 * leaving an orphan.
 */
export interface LifecycleJob {
  readonly name: JobName;
  run(run: JobRun): Promise<number>;
}

/** The jobs the runner schedules (a multi-provider token: an array of LifecycleJob). */
export const LIFECYCLE_JOBS = Symbol('LIFECYCLE_JOBS');
