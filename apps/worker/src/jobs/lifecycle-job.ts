import type { JobName } from '@app/config';

/** The run's lease is gone (expired, or taken over by another replica): stop, write nothing. */
export class LeaseLostError extends Error {
  constructor(job: string, detail: string) {
    super(`lease of job ${job} lost: ${detail}`);
    this.name = 'LeaseLostError';
  }
}

/**
 * The fence of one run. check() is synchronous so that nothing can run between it and the write
 * it guards: call it immediately before every write (storage or database).
 */
export interface FenceGuard {
  /**
   * Throws LeaseLostError unless the run still holds its lease: the local clock is still a safety
   * margin before the lease's end (as last renewed), and no renewal found it taken over.
   */
  check(): void;
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
 * `run.guard.check()` before every write, and returns how many items it processed (files purged,
 * sessions expired…). Every run is idempotent and resumable: killed at any instant, the next run
 * (on any replica) finishes the work, never deleting a live file nor leaving an orphan.
 */
export interface LifecycleJob {
  readonly name: JobName;
  run(run: JobRun): Promise<number>;
}

/** The jobs the runner schedules (a multi-provider token: an array of LifecycleJob). */
export const LIFECYCLE_JOBS = Symbol('LIFECYCLE_JOBS');
