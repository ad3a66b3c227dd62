import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig, type JobName } from '@app/config';
import { JobLeaseRepository, type JobLease, type LeaseRelease } from '@app/database';
import {
  LeaseLostError,
  LIFECYCLE_JOBS,
  PartialRunError,
  type LifecycleJob,
} from '../lifecycle-job.js';
import { JobHeartbeats } from './job-heartbeats.js';
import { JobMetrics, type RunEnd } from './job-metrics.js';
import { LeaseGuard } from './lease-guard.js';

/** Delay of every job's first tick after startup, so the app is listening before work starts. */
export const FIRST_TICK_DELAY_MS = 1_000;
/** How long shutdown waits for runs in progress before revoking and releasing their leases. */
export const SHUTDOWN_WAIT_MS = 10_000;

/** How long shutdown waits for a revoked run's renewal in flight before releasing its lease. */
const RENEWAL_SETTLE_MS = 2_000;

/** The widest slack runGapMs() allows. */
export const MAX_RUN_SLACK_MS = 1_000;

/**
 * The least time between the starts of two completed runs of a job ticking every `intervalMs`:
 * the interval less a slack of min(10 %, 1 s). Ticks come from the local timer, but the start a
 * run records and the `now` a later tick compares it with are wall-clock readings taken when the
 * callbacks run: a tick that reads a few ms "early" against the last start (libuv's cached loop
 * time, an NTP slew, another replica's clock slightly ahead) would find the job not due by those
 * ms and skip a whole interval. The price: a run may start up to that slack sooner than an
 * interval after the last one.
 */
export function runGapMs(intervalMs: number): number {
  return intervalMs - Math.min(intervalMs / 10, MAX_RUN_SLACK_MS);
}

/** Whether `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      bound,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The runner's name of a job's timers in the SchedulerRegistry. */
export const jobTimerName = (job: JobName, first = false): string =>
  `lifecycle-job:${job}${first ? ':first' : ''}`;

/**
 * Ticks each lifecycle job every `config.jobs.intervals[job]` seconds (the first soon after start)
 * and runs it under its MongoDB lease when it is due, so that among all worker replicas, whatever
 * their timers' phases, it runs once per interval: a completed run keeps it not due until an
 * interval (less a slack) after its start, on every replica, across restarts. A failed run leaves
 * it due, so the next tick of any replica retries. A tick is skipped while the job's previous run
 * in this process is still going, so a slow or unreachable database gets at most one request per
 * job at a time, never a retry storm. A tick that finds the lease held elsewhere, or the job not
 * due, is a healthy tick: the job runs, or ran, on some replica.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  /** Unique per process (and per runner, when tests start two in one process). */
  readonly owner = `${hostname()}:${String(process.pid)}:${randomBytes(4).toString('hex')}`;
  private readonly ttlMs: number;
  private readonly running = new Map<JobName, Promise<void>>();
  private readonly guards = new Map<JobName, LeaseGuard>();
  private stopping = false;
  /** How long shutdown waits for runs in progress (tests shorten it). */
  shutdownWaitMs = SHUTDOWN_WAIT_MS;
  /** The wall clock runs start and leases are judged by (tests move it). */
  clock: () => number = Date.now;

  constructor(
    @Inject(LIFECYCLE_JOBS) private readonly jobs: readonly LifecycleJob[],
    @Inject(JobLeaseRepository) private readonly leases: JobLeaseRepository,
    @Inject(SchedulerRegistry) private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'jobs'>,
    @Inject(JobMetrics) private readonly metrics: JobMetrics,
    @Inject(JobHeartbeats) private readonly heartbeats: JobHeartbeats,
  ) {
    this.ttlMs = config.jobs.leaseTtlSeconds * 1000;
  }

  onApplicationBootstrap(): void {
    for (const job of this.jobs) {
      const intervalMs = this.intervalMs(job.name);
      const first = setTimeout(
        () => {
          this.scheduler.deleteTimeout(jobTimerName(job.name, true));
          if (this.stopping) return;
          // Counted from the first tick, not from start: an interval from start would tick
          // FIRST_TICK_DELAY_MS less than an interval after the first run, find the job not due
          // and leave it a whole interval more.
          const every = setInterval(() => this.tick(job), intervalMs);
          this.scheduler.addInterval(jobTimerName(job.name), every);
          this.tick(job);
        },
        Math.min(FIRST_TICK_DELAY_MS, intervalMs),
      );
      this.scheduler.addTimeout(jobTimerName(job.name, true), first);
    }
    this.logger.log(
      `running ${this.jobs.map((job) => `${job.name} every ${String(this.config.jobs.intervals[job.name])} s`).join(', ')} as ${this.owner}`,
    );
  }

  private intervalMs(job: JobName): number {
    return this.config.jobs.intervals[job] * 1000;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // ScheduleModule clears the registry on shutdown too; whichever runs first wins.
    for (const job of this.jobs) {
      for (const name of [jobTimerName(job.name), jobTimerName(job.name, true)]) {
        if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
        if (this.scheduler.doesExist('timeout', name)) this.scheduler.deleteTimeout(name);
      }
    }
    const inProgress = [...this.running.values()];
    if (inProgress.length === 0) return;
    await settlesWithin(Promise.all(inProgress), this.shutdownWaitMs);
    // Runs still going past the bound lose their lease here (their next check() throws), and
    // it is released so that another replica takes the job at its next tick, not a TTL later.
    await Promise.all(
      [...this.guards.entries()].map(async ([job, guard]) => {
        guard.revoke('the worker is shutting down');
        // A renewal still in flight could land after the release and extend the lease again:
        // release only once it has settled, else leave the lease to lapse by itself.
        if (await settlesWithin(guard.stop(), RENEWAL_SETTLE_MS)) {
          await this.release(job, guard.lease, { completed: false });
        }
      }),
    );
  }

  /** One tick of `job`: skipped while its previous run is still going. */
  tick(job: LifecycleJob): void {
    if (this.stopping) return;
    if (this.running.has(job.name)) {
      // A long run (a large verification or purge) that still holds its lease is the job
      // running, here, as a lease held elsewhere is the job running there: a healthy tick.
      if (this.guards.get(job.name)?.holds() === true) this.heartbeats.healthy(job.name);
      return;
    }
    const run = this.runOnce(job)
      // runOnce handles its own failures; this only keeps a bug from becoming an unhandled
      // rejection, which would end the process.
      .catch((err: unknown) => this.failed(job.name, 'tick', err))
      .finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
  }

  /** Resolves once the runs in progress have ended (tests). */
  async settled(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private async runOnce(job: LifecycleJob): Promise<void> {
    const now = new Date(this.clock());
    let lease: JobLease;
    try {
      const taken = await this.leases.acquire(job.name, this.owner, now, {
        ttlMs: this.ttlMs,
        gapMs: runGapMs(this.intervalMs(job.name)),
      });
      if (taken.lease === null) {
        this.metrics.refused(job.name, taken.refused === 'held' ? 'held_elsewhere' : 'not_due');
        this.heartbeats.healthy(job.name);
        return;
      }
      lease = taken.lease;
    } catch (err) {
      this.failed(job.name, 'taking the lease', err);
      return;
    }
    const guard = new LeaseGuard(this.leases, lease, {
      ttlMs: this.ttlMs,
      logger: this.logger,
      onRenewFailure: () => this.metrics.error(job.name),
      clock: this.clock,
    });
    this.guards.set(job.name, guard);
    this.metrics.leaseTaken(job.name);
    let outcome: RunEnd | 'not run' = 'not run';
    try {
      // Shutdown began while the lease was being taken: hand it back at once.
      if (!this.stopping) outcome = await this.runUnder(job, now, guard);
    } finally {
      await guard.stop();
      this.guards.delete(job.name);
      this.metrics.leaseDropped(job.name);
    }
    // Sent only while the lease is still ours by the local clock: a worker that lost it (paused
    // past its end, taken over, revoked at shutdown) sends nothing more under it.
    if (outcome !== 'lease_lost' && guard.holds()) {
      await this.release(
        job.name,
        guard.lease,
        outcome === 'completed' ? { completed: true, startedAt: now } : { completed: false },
      );
    }
  }

  /** Runs the job under its guard; never throws. */
  private async runUnder(job: LifecycleJob, now: Date, guard: LeaseGuard): Promise<RunEnd> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      const items = await job.run({ now, guard });
      const duration = seconds();
      this.metrics.ran(job.name, 'completed', duration);
      this.metrics.completed(job.name, items, new Date(this.clock()));
      this.heartbeats.healthy(job.name);
      const line = `job ${job.name} completed: fence ${String(guard.fence)}, ${String(items)} items in ${String(Math.round(duration * 1000))} ms`;
      if (items > 0) this.logger.log(line);
      else this.logger.debug(line);
      return 'completed';
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.metrics.ran(job.name, 'lease_lost', seconds());
        this.logger.warn(`job ${job.name} stopped (fence ${String(guard.fence)}): ${err.message}`);
        return 'lease_lost';
      }
      this.metrics.ran(job.name, 'failed', seconds());
      // What it did before failing was done: 999 files purged before a refused key count.
      if (err instanceof PartialRunError) this.metrics.processed(job.name, err.processed);
      this.failed(job.name, `run (fence ${String(guard.fence)})`, err);
      return 'failed';
    }
  }

  private async release(job: JobName, lease: JobLease, end: LeaseRelease): Promise<void> {
    try {
      await this.leases.release(lease, new Date(this.clock()), end);
    } catch (err) {
      // The lease then lapses by itself, a TTL later; a completion it would have recorded is
      // lost, so the job is due again then (every run is idempotent: it finds little to do).
      this.failed(job, 'releasing the lease', err);
    }
  }

  private failed(job: JobName, what: string, err: unknown): void {
    this.metrics.error(job);
    // The message only: a stack or a driver's error object can name hosts and credentials.
    this.logger.warn(
      `job ${job}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
