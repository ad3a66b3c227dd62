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
 * The fence of one run. check() is synchronous so that nothing can run between it and the write
 * it guards: call it immediately before every write (storage or database), and hand every
 * database write `writeFence()` taken right after it, so that a write the process sends late
 * (paused between its check and the socket) is refused by the server itself.
 */
export interface FenceGuard {
  /**
   * Throws LeaseLostError unless the run still holds its lease: the local clock is still a safety
   * margin before the lease's end (as last renewed), and no renewal found it taken over.
   */
  check(): void;
  /**
   * The deadline of a write checked now: the lease's end as last renewed, less the safety margin
   * (the very instant from which check() throws). A write carrying it changes nothing once the
   * database's clock reaches it, whenever the write gets there. Never throws: call check() first.
   */
  writeFence(): WriteFence;
  /** The fencing number of this run's lease (grows on every acquisition). */
  readonly fence: number;
}

export interface JobRun {
  /** When the run started; what is "due" is judged against it. */
  now: Date;
  guard: FenceGuard;
}

/**
 * One lifecycle job. A run does what is due at `run.now` in bounded batches, calling
 * `run.guard.check()` before every write and passing `run.guard.writeFence()` to every database
 * write that takes one, and returns how many items it processed (files purged,
 * sessions expired…). Every run is idempotent and resumable: killed at any instant, the next run
 * (on any replica) finishes the work, never deleting a live file nor leaving an orphan.
 */
export interface LifecycleJob {
  readonly name: JobName;
  run(run: JobRun): Promise<number>;
}

/** The jobs the runner schedules (a multi-provider token: an array of LifecycleJob). */
export const LIFECYCLE_JOBS = Symbol('LIFECYCLE_JOBS');
