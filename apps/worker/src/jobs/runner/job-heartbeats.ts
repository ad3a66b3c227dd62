import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, JOB_NAMES, type AppConfig, type JobName } from '@app/config';

/** A job is healthy while its last healthy tick is at most this many intervals old. */
export const HEALTHY_WITHIN_INTERVALS = 3;

export interface JobHeartbeat {
  job: JobName;
  /**
   * The last completed run in this process, or tick that found the lease held elsewhere or the
   * job not due; the process's start before the first.
   */
  lastHealthyAt: Date;
  intervalSeconds: number;
  healthy: boolean;
}

/**
 * When each job last had a healthy tick in this process: a completed run, or a tick that found
 * the lease held by another replica (the job runs there) or the job not due (a run completed, here
 * or elsewhere, less than an interval ago). Read by the `jobs` readiness entry, so it lives in
 * memory: readiness must not query the database it reports on.
 */
@Injectable()
export class JobHeartbeats {
  private readonly last = new Map<JobName, number>();
  private readonly intervalsMs: Record<JobName, number>;
  /** The local clock (tests move it). */
  clock: () => number = Date.now;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'jobs'>) {
    const intervalsMs = {} as Record<JobName, number>;
    // The process's start is the baseline: a fresh worker is ready before any job ran.
    const started = this.clock();
    for (const job of JOB_NAMES) {
      intervalsMs[job] = config.jobs.intervals[job] * 1000;
      this.last.set(job, started);
    }
    this.intervalsMs = intervalsMs;
  }

  healthy(job: JobName, at: number = this.clock()): void {
    this.last.set(job, Math.max(at, this.last.get(job) ?? at));
  }

  /** Every job's heartbeat as of `now`. */
  report(jobs: readonly JobName[], now: number = this.clock()): JobHeartbeat[] {
    return jobs.map((job) => {
      const lastHealthyAt = this.last.get(job) ?? now;
      const intervalMs = this.intervalsMs[job];
      return {
        job,
        lastHealthyAt: new Date(lastHealthyAt),
        intervalSeconds: intervalMs / 1000,
        healthy: now - lastHealthyAt <= HEALTHY_WITHIN_INTERVALS * intervalMs,
      };
    });
  }
}
