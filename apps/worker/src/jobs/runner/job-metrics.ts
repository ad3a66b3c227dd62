import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';
import { JOB_NAMES, type JobName } from '@app/config';

/** How a tick of a job ended: the `outcome` label of sharexpress_job_runs_total. */
export const RUN_OUTCOMES = [
  'completed',
  'failed',
  'lease_lost',
  'held_elsewhere',
  'not_due',
] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
/** A tick that did not run the job: it runs elsewhere, or it ran less than an interval ago. */
export type RefusedTick = Extract<RunOutcome, 'held_elsewhere' | 'not_due'>;
/** How a run under this process's lease ended. */
export type RunEnd = Exclude<RunOutcome, RefusedTick>;

// Runs last from milliseconds (nothing due) to minutes (a large purge or reconciliation).
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/**
 * A metric on prom-client's default registry, reused by name: several apps in one process (tests,
 * two workers side by side) build these providers, and prom-client throws on a duplicate.
 */
function shared<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

/** The runner's metrics, by job (`job` label = the job's name). */
@Injectable()
export class JobMetrics {
  private readonly runs = shared(
    'sharexpress_job_runs_total',
    () =>
      new Counter({
        name: 'sharexpress_job_runs_total',
        help: 'Ticks of each lifecycle job, by outcome (held_elsewhere: another replica held the lease; not_due: a run that completed on any replica started less than an interval ago)',
        labelNames: ['job', 'outcome'],
      }),
  );
  private readonly duration = shared(
    'sharexpress_job_duration_seconds',
    () =>
      new Histogram({
        name: 'sharexpress_job_duration_seconds',
        help: 'Duration of the runs of each lifecycle job, whatever their outcome',
        labelNames: ['job'],
        buckets: DURATION_BUCKETS,
      }),
  );
  private readonly items = shared(
    'sharexpress_job_items_total',
    () =>
      new Counter({
        name: 'sharexpress_job_items_total',
        help: 'Items (sessions, files, objects, records) the completed runs of each job processed',
        labelNames: ['job'],
      }),
  );
  private readonly errors = shared(
    'sharexpress_job_errors_total',
    () =>
      new Counter({
        name: 'sharexpress_job_errors_total',
        help: 'Failures of each job: runs that threw, and lease acquisitions, renewals or releases that failed',
        labelNames: ['job'],
      }),
  );
  private readonly leaseHeld = shared(
    'sharexpress_job_lease_held',
    () =>
      new Gauge({
        name: 'sharexpress_job_lease_held',
        help: "1 while this process holds the job's lease (runs it), else 0",
        labelNames: ['job'],
      }),
  );
  private readonly lastSuccess = shared(
    'sharexpress_job_last_success_timestamp_seconds',
    () =>
      new Gauge({
        name: 'sharexpress_job_last_success_timestamp_seconds',
        help: 'When a run of the job last completed in this process (Unix time; 0 before the first)',
        labelNames: ['job'],
      }),
  );

  constructor() {
    // Every series exists from the start, so rate() and absent() see the first event.
    for (const job of JOB_NAMES) {
      for (const outcome of RUN_OUTCOMES) this.runs.inc({ job, outcome }, 0);
      this.items.inc({ job }, 0);
      this.errors.inc({ job }, 0);
      this.leaseHeld.inc({ job }, 0);
      this.lastSuccess.inc({ job }, 0);
    }
  }

  /** A tick that did not run the job, and why. */
  refused(job: JobName, outcome: RefusedTick): void {
    this.runs.inc({ job, outcome });
  }

  /** A run under this process's lease ended. */
  ran(job: JobName, outcome: RunEnd, seconds: number): void {
    this.runs.inc({ job, outcome });
    this.duration.observe({ job }, seconds);
  }

  completed(job: JobName, items: number, at: Date): void {
    this.processed(job, items);
    this.lastSuccess.set({ job }, at.getTime() / 1000);
  }

  /** Items a run processed, also when it then failed (a purge that hit a refused key). */
  processed(job: JobName, items: number): void {
    this.items.inc({ job }, items);
  }

  error(job: JobName): void {
    this.errors.inc({ job });
  }

  // inc/dec rather than set: two runners in one process (tests) share the series.
  leaseTaken(job: JobName): void {
    this.leaseHeld.inc({ job });
  }

  leaseDropped(job: JobName): void {
    this.leaseHeld.dec({ job });
  }
}
