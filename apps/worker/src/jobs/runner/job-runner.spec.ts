import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { SchedulerRegistry } from '@nestjs/schedule';
import { register } from 'prom-client';
import { JOB_NAMES, type AppConfig, type JobName } from '@app/config';
import { JobLeaseRepository, type JobLease, type JobLeaseState } from '@app/database';
import { LeaseLostError, type JobRun, type LifecycleJob } from '../lifecycle-job.js';
import { JobHeartbeats } from './job-heartbeats.js';
import { JobMetrics } from './job-metrics.js';
import { JobRunner, jobTimerName } from './job-runner.js';

/** The lease contract in memory: what the MongoDB repository does, one document per job. */
class InMemoryJobLeases extends JobLeaseRepository {
  readonly docs = new Map<string, JobLeaseState>();
  readonly releases: { fence: number; completed: boolean }[] = [];
  down = false;

  acquire(job: string, owner: string, now: Date, ttlMs: number): Promise<JobLease | null> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    const doc = this.docs.get(job);
    if (doc !== undefined && doc.until > now) return Promise.resolve(null);
    const next: JobLeaseState = {
      job,
      owner,
      fence: (doc?.fence ?? 0) + 1,
      until: new Date(now.getTime() + ttlMs),
      lastCompletedAt: doc?.lastCompletedAt ?? null,
    };
    this.docs.set(job, next);
    return Promise.resolve(strip(next));
  }

  renew(lease: JobLease, now: Date, ttlMs: number): Promise<JobLease | null> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    const doc = this.held(lease);
    if (doc === undefined || doc.until <= now) return Promise.resolve(null);
    doc.until = new Date(now.getTime() + ttlMs);
    return Promise.resolve(strip(doc));
  }

  release(lease: JobLease, now: Date, completed: boolean): Promise<void> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    this.releases.push({ fence: lease.fence, completed });
    const doc = this.held(lease);
    if (doc !== undefined) {
      if (now < doc.until) doc.until = now;
      if (completed) doc.lastCompletedAt = now;
    }
    return Promise.resolve();
  }

  list(): Promise<JobLeaseState[]> {
    return Promise.resolve([...this.docs.values()]);
  }

  /** Another replica took the lease over (after it lapsed there, say). */
  takeOver(job: string): void {
    const doc = this.docs.get(job);
    assert.ok(doc !== undefined);
    this.docs.set(job, { ...doc, owner: 'elsewhere', fence: doc.fence + 1 });
  }

  private held(lease: JobLease): JobLeaseState | undefined {
    const doc = this.docs.get(lease.job);
    return doc?.owner === lease.owner && doc.fence === lease.fence ? doc : undefined;
  }
}

const strip = ({ job, owner, fence, until }: JobLeaseState): JobLease => ({
  job,
  owner,
  fence,
  until: new Date(until),
});

/** A job whose runs do what `body` says, counted. */
class FakeJob implements LifecycleJob {
  runs: JobRun[] = [];
  constructor(
    readonly name: JobName,
    private readonly body: (run: JobRun) => Promise<number> = () => Promise.resolve(0),
  ) {}
  run(run: JobRun): Promise<number> {
    this.runs.push(run);
    return this.body(run);
  }
}

function config(intervalSeconds = 60, leaseTtlSeconds = 1): Pick<AppConfig, 'jobs'> {
  const intervals = Object.fromEntries(JOB_NAMES.map((job) => [job, intervalSeconds])) as Record<
    JobName,
    number
  >;
  return {
    jobs: {
      intervals,
      leaseTtlSeconds,
      orphanGraceSeconds: 3600,
      sessionRetentionSeconds: 3600,
      verifyConcurrency: 1,
    },
  };
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const found = register.getSingleMetric(name);
  assert.ok(found !== undefined, name);
  const { values } = await found.get();
  const match = values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return match?.value ?? 0;
}

describe('JobRunner', () => {
  const started: JobRunner[] = [];
  afterEach(async () => {
    for (const runner of started.splice(0)) await runner.beforeApplicationShutdown();
  });

  function runner(
    jobs: LifecycleJob[],
    leases: JobLeaseRepository,
    settings = config(),
    heartbeats = new JobHeartbeats(settings),
  ) {
    const made = new JobRunner(
      jobs,
      leases,
      new SchedulerRegistry(),
      settings,
      new JobMetrics(),
      heartbeats,
    );
    started.push(made);
    return made;
  }

  it('two runners sharing one lease store run a job exactly once per tick', async () => {
    const leases = new InMemoryJobLeases();
    const job = new FakeJob('expire-sessions', async () => {
      await sleep(20);
      return 1;
    });
    const a = runner([job], leases);
    const b = runner([job], leases);
    const heldBefore = await metric('sharexpress_job_runs_total', {
      job: 'expire-sessions',
      outcome: 'held_elsewhere',
    });
    for (let tick = 0; tick < 5; tick++) {
      a.tick(job);
      b.tick(job);
      await Promise.all([a.settled(), b.settled()]);
    }
    assert.equal(job.runs.length, 5);
    assert.deepEqual(
      job.runs.map((r) => r.guard.fence),
      [1, 2, 3, 4, 5],
    );
    assert.equal(
      (await metric('sharexpress_job_runs_total', {
        job: 'expire-sessions',
        outcome: 'held_elsewhere',
      })) - heldBefore,
      5,
    );
    assert.deepEqual(
      leases.releases.map((r) => r.completed),
      [true, true, true, true, true],
    );
    assert.ok(leases.docs.get('expire-sessions')?.lastCompletedAt instanceof Date);
  });

  it('skips a tick while the previous run of the job is still going', async () => {
    const leases = new InMemoryJobLeases();
    let finish: (() => void) | undefined;
    const job = new FakeJob(
      'purge-files',
      () =>
        new Promise<number>((resolve) => {
          finish = () => resolve(0);
        }),
    );
    const r = runner([job], leases);
    r.tick(job);
    await sleep(10);
    r.tick(job);
    r.tick(job);
    await sleep(10);
    assert.equal(job.runs.length, 1);
    finish?.();
    await r.settled();
    r.tick(job);
    await sleep(10);
    assert.equal(job.runs.length, 2);
    finish?.();
    await r.settled();
  });

  it('a failing job is released (not completed), counted, and its lease free for the next tick', async () => {
    const leases = new InMemoryJobLeases();
    const job = new FakeJob('sweep-uploads', () => Promise.reject(new Error('storage down')));
    const r = runner([job], leases);
    const failedBefore = await metric('sharexpress_job_runs_total', {
      job: 'sweep-uploads',
      outcome: 'failed',
    });
    const errorsBefore = await metric('sharexpress_job_errors_total', { job: 'sweep-uploads' });
    r.tick(job);
    await r.settled();
    assert.deepEqual(leases.releases, [{ fence: 1, completed: false }]);
    assert.equal(leases.docs.get('sweep-uploads')?.lastCompletedAt, null);
    assert.equal(
      (await metric('sharexpress_job_runs_total', { job: 'sweep-uploads', outcome: 'failed' })) -
        failedBefore,
      1,
    );
    assert.equal(
      (await metric('sharexpress_job_errors_total', { job: 'sweep-uploads' })) - errorsBefore,
      1,
    );
    r.tick(job);
    await r.settled();
    assert.equal(job.runs.length, 2);
    assert.equal(job.runs[1]?.guard.fence, 2);
  });

  it('a run whose lease was taken over stops at its next check and releases nothing', async () => {
    const leases = new InMemoryJobLeases();
    let writes = 0;
    const job = new FakeJob('verify-uploads', async ({ guard }) => {
      leases.takeOver('verify-uploads');
      for (;;) {
        guard.check();
        writes++;
        await sleep(50);
      }
    });
    const r = runner([job], leases, config(60, 1));
    const lostBefore = await metric('sharexpress_job_runs_total', {
      job: 'verify-uploads',
      outcome: 'lease_lost',
    });
    r.tick(job);
    await r.settled();
    // The renewal at ttl/3 (333 ms) finds the takeover; writes stop at the next check.
    assert.ok(writes >= 5 && writes <= 9, `${String(writes)} writes`);
    assert.deepEqual(leases.releases, []);
    assert.equal(leases.docs.get('verify-uploads')?.owner, 'elsewhere');
    assert.equal(
      (await metric('sharexpress_job_runs_total', {
        job: 'verify-uploads',
        outcome: 'lease_lost',
      })) - lostBefore,
      1,
    );
    assert.equal(await metric('sharexpress_job_lease_held', { job: 'verify-uploads' }), 0);
  });

  it('a database that fails to give or take back leases is counted, never thrown', async () => {
    const leases = new InMemoryJobLeases();
    const job = new FakeJob('prune-records', () => {
      leases.down = true;
      return Promise.resolve(3);
    });
    const r = runner([job], leases);
    const errorsBefore = await metric('sharexpress_job_errors_total', { job: 'prune-records' });
    r.tick(job); // runs, then fails to release
    await r.settled();
    r.tick(job); // fails to acquire
    await r.settled();
    assert.equal(job.runs.length, 1);
    assert.equal(
      (await metric('sharexpress_job_errors_total', { job: 'prune-records' })) - errorsBefore,
      2,
    );
    leases.down = false;
    // The unreleased lease lapses by itself (1 s TTL); the job runs again after it.
    await sleep(1_050);
    r.tick(job);
    await r.settled();
    assert.equal(job.runs.length, 2);
  });

  it('a tick finding the lease held elsewhere is healthy; failures are not', async () => {
    const leases = new InMemoryJobLeases();
    const settings = config(60);
    const heartbeats = new JobHeartbeats(settings);
    const base = Date.now();
    let now = base;
    heartbeats.clock = () => now;
    const failing = new FakeJob('reconcile-storage', () => Promise.reject(new Error('boom')));
    const r = runner([failing], leases, settings, heartbeats);
    const late = base + 3 * 60_000 + 1;
    now = late;
    r.tick(failing);
    await r.settled();
    assert.equal(heartbeats.report(['reconcile-storage'])[0]?.healthy, false);
    await leases.acquire('reconcile-storage', 'elsewhere', new Date(), 60_000);
    r.tick(failing);
    await r.settled();
    assert.equal(failing.runs.length, 1);
    const [beat] = heartbeats.report(['reconcile-storage']);
    assert.equal(beat?.healthy, true);
    assert.equal(beat.lastHealthyAt.getTime(), late);
  });

  it('a long run that still holds its lease keeps the job healthy; one whose lease lapsed does not', async () => {
    const leases = new InMemoryJobLeases();
    const settings = config(1, 1);
    const heartbeats = new JobHeartbeats(settings);
    const base = Date.now();
    let now = base;
    heartbeats.clock = () => now;
    let finish: (() => void) | undefined;
    const job = new FakeJob(
      'verify-uploads',
      () =>
        new Promise<number>((resolve) => {
          finish = () => resolve(1);
        }),
    );
    const r = runner([job], leases, settings, heartbeats);
    r.tick(job);
    await sleep(10);
    now = base + 10_000;
    r.tick(job); // skipped, but the run holds a live lease (renewed every 333 ms)
    assert.equal(heartbeats.report(['verify-uploads'])[0]?.healthy, true);
    leases.down = true; // renewals fail from now on: the lease lapses locally after 1 s
    await sleep(1_100);
    now = base + 20_000;
    r.tick(job);
    assert.equal(heartbeats.report(['verify-uploads'])[0]?.healthy, false);
    assert.equal(job.runs.length, 1);
    leases.down = false;
    finish?.();
    await r.settled();
  });

  it('schedules every job on its interval, first soon after start, and stops on shutdown', async () => {
    const leases = new InMemoryJobLeases();
    const registry = new SchedulerRegistry();
    const settings = config(1);
    const job = new FakeJob('expire-sessions');
    const r = new JobRunner(
      [job],
      leases,
      registry,
      settings,
      new JobMetrics(),
      new JobHeartbeats(settings),
    );
    r.onApplicationBootstrap();
    assert.ok(registry.doesExist('interval', jobTimerName('expire-sessions')));
    await sleep(1_300);
    // The first tick (after 1 s, the interval here) plus, perhaps, the interval's own.
    assert.ok(job.runs.length >= 1 && job.runs.length <= 2, String(job.runs.length));
    await r.beforeApplicationShutdown();
    assert.equal(registry.getIntervals().length, 0);
    assert.equal(registry.getTimeouts().length, 0);
    const count = job.runs.length;
    await sleep(1_200);
    assert.equal(job.runs.length, count);
  });

  it('shutdown waits for a short run, then releases it as completed', async () => {
    const leases = new InMemoryJobLeases();
    const job = new FakeJob('purge-files', async () => {
      await sleep(100);
      return 2;
    });
    const r = runner([job], leases);
    r.tick(job);
    await sleep(10);
    await r.beforeApplicationShutdown();
    assert.deepEqual(leases.releases, [{ fence: 1, completed: true }]);
    r.tick(job);
    assert.equal(job.runs.length, 1, 'no tick after shutdown');
  });

  it('shutdown past its bound revokes a run still going and releases its lease at once', async () => {
    const leases = new InMemoryJobLeases();
    let checkedAfterRevoke: unknown;
    const job = new FakeJob('reconcile-storage', async ({ guard }) => {
      await sleep(300);
      try {
        guard.check();
      } catch (err) {
        checkedAfterRevoke = err;
        throw err;
      }
      return 1;
    });
    const r = runner([job], leases, config(60, 60));
    r.shutdownWaitMs = 50;
    r.tick(job);
    await sleep(10);
    const before = Date.now();
    await r.beforeApplicationShutdown();
    assert.ok(Date.now() - before < 250, 'did not wait for the run');
    assert.deepEqual(leases.releases, [{ fence: 1, completed: false }]);
    // Another replica may take the job at once.
    assert.notEqual(await leases.acquire('reconcile-storage', 'other', new Date(), 1000), null);
    await r.settled();
    assert.ok(checkedAfterRevoke instanceof LeaseLostError);
    assert.equal(leases.releases.length, 1);
  });
});
