import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { SchedulerRegistry } from '@nestjs/schedule';
import { register } from 'prom-client';
import { JOB_NAMES, type AppConfig, type JobName } from '@app/config';
import {
  JobLeaseRepository,
  type JobLease,
  type LeaseAcquisition,
  type LeaseRelease,
  type LeaseTerms,
} from '@app/database';
import {
  LeaseLostError,
  PartialRunError,
  type JobRun,
  type LifecycleJob,
} from '../lifecycle-job.js';
import { JobHeartbeats } from './job-heartbeats.js';
import { JobMetrics } from './job-metrics.js';
import { JobRunner, jobTimerName, runGapMs } from './job-runner.js';

/** One job's lease document, as MongoDB stores it. */
interface StoredLease extends JobLease {
  lastCompletedAt: Date | null;
  lastCompletedRunStartedAt: Date | null;
}

/** The lease contract in memory: what the MongoDB repository does, one document per job. */
class InMemoryJobLeases extends JobLeaseRepository {
  readonly docs = new Map<string, StoredLease>();
  readonly releases: { fence: number; completed: boolean }[] = [];
  down = false;

  acquire(job: string, owner: string, now: Date, terms: LeaseTerms): Promise<LeaseAcquisition> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    const doc = this.docs.get(job);
    if (doc !== undefined && doc.until > now) {
      return Promise.resolve({ lease: null, refused: 'held' });
    }
    const lastStart = doc?.lastCompletedRunStartedAt ?? null;
    if (lastStart !== null && lastStart.getTime() > now.getTime() - terms.gapMs) {
      return Promise.resolve({ lease: null, refused: 'not_due' });
    }
    const next: StoredLease = {
      job,
      owner,
      fence: (doc?.fence ?? 0) + 1,
      until: new Date(now.getTime() + terms.ttlMs),
      lastCompletedAt: doc?.lastCompletedAt ?? null,
      lastCompletedRunStartedAt: lastStart,
    };
    this.docs.set(job, next);
    return Promise.resolve({ lease: strip(next) });
  }

  renew(lease: JobLease, now: Date, ttlMs: number): Promise<JobLease | null> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    const doc = this.held(lease);
    if (doc === undefined || doc.until <= now) return Promise.resolve(null);
    doc.until = new Date(now.getTime() + ttlMs);
    return Promise.resolve(strip(doc));
  }

  release(lease: JobLease, now: Date, end: LeaseRelease): Promise<void> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    this.releases.push({ fence: lease.fence, completed: end.completed });
    const doc = this.held(lease);
    if (doc !== undefined) {
      if (now < doc.until) doc.until = now;
      if (end.completed) {
        doc.lastCompletedAt = now;
        doc.lastCompletedRunStartedAt = end.startedAt;
      }
    }
    return Promise.resolve();
  }

  /** Another replica took the lease over (after it lapsed there, say). */
  takeOver(job: string): void {
    const doc = this.docs.get(job);
    assert.ok(doc !== undefined);
    this.docs.set(job, { ...doc, owner: 'elsewhere', fence: doc.fence + 1 });
  }

  private held(lease: JobLease): StoredLease | undefined {
    const doc = this.docs.get(lease.job);
    return doc?.owner === lease.owner && doc.fence === lease.fence ? doc : undefined;
  }
}

const strip = ({ job, owner, fence, until }: StoredLease): JobLease => ({
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

  /**
   * Worker replicas sharing one lease store, one 60 s lease and one logical clock (`now`, set by
   * the test), every run logged under its replica's name. `replica(name, job, body?)` adds one:
   * its runner, its readiness heartbeats, and its own instance of the job.
   */
  function world(intervalSeconds: number) {
    const leases = new InMemoryJobLeases();
    const settings = config(intervalSeconds, 60);
    const origin = Date.now();
    const log: { replica: string; at: number }[] = [];
    const w = {
      leases,
      settings,
      origin,
      now: origin,
      log,
      replica(
        name: string,
        jobName: JobName,
        body: (run: JobRun) => Promise<number> = () => Promise.resolve(0),
      ) {
        const clock = (): number => w.now;
        const heartbeats = new JobHeartbeats(settings);
        heartbeats.clock = clock;
        const job = new FakeJob(jobName, (run) => {
          log.push({ replica: name, at: run.now.getTime() });
          return body(run);
        });
        const r = runner([job], leases, settings, heartbeats);
        r.clock = clock;
        return {
          job,
          heartbeats,
          healthy: () => heartbeats.report([jobName])[0]?.healthy,
          tick: async () => {
            r.tick(job);
            await r.settled();
          },
        };
      },
    };
    return w;
  }

  const runs = (job: JobName, outcome: string) =>
    metric('sharexpress_job_runs_total', { job, outcome });

  it('two replicas ticking half an interval apart run the job exactly once per interval', async () => {
    const intervalMs = 60_000;
    const w = world(intervalMs / 1000);
    const { origin, log } = w;
    const a = w.replica('a', 'purge-files');
    const b = w.replica('b', 'purge-files');
    const notDueBefore = await runs('purge-files', 'not_due');
    // A's timer fires a few ms early or late (setInterval drift); B's half an interval later.
    const drift = [0, -4, 3, -2, 5, -1, 0, -3];
    for (const [k, early] of drift.entries()) {
      w.now = origin + k * intervalMs + early;
      await a.tick();
      w.now = origin + k * intervalMs + intervalMs / 2;
      await b.tick();
      assert.equal(b.healthy(), true, `b at interval ${String(k)}`);
    }
    // One run per interval, each on time: a tick 4 ms early did not push one to the next.
    assert.deepEqual(
      log,
      drift.map((early, k) => ({ replica: 'a', at: origin + k * intervalMs + early })),
    );
    assert.equal((await runs('purge-files', 'not_due')) - notDueBefore, drift.length);
    // Past three intervals, the replica that never ran it is still ready: the job runs.
    assert.equal(b.job.runs.length, 0);

    // A replica (re)started just after a run does not run it again before it is due.
    const lastStart = origin + (drift.length - 1) * intervalMs - 3;
    const c = w.replica('c', 'purge-files');
    w.now = lastStart + runGapMs(intervalMs) - 1;
    await c.tick();
    assert.equal(c.job.runs.length, 0);
    w.now = lastStart + runGapMs(intervalMs);
    await c.tick();
    assert.equal(c.job.runs.length, 1);
  });

  it('a failed run is retried by the other replica at its next tick, and readiness holds on both', async () => {
    const intervalMs = 60_000;
    const w = world(intervalMs / 1000);
    const { leases, origin, log } = w;
    const a = w.replica('a', 'sweep-uploads', () =>
      log.length === 3 ? Promise.reject(new Error('storage down')) : Promise.resolve(1),
    );
    const b = w.replica('b', 'sweep-uploads');
    for (let k = 0; k < 6; k++) {
      w.now = origin + k * intervalMs;
      await a.tick();
      w.now += intervalMs / 2;
      await b.tick();
    }
    const half = intervalMs / 2;
    assert.deepEqual(log, [
      { replica: 'a', at: origin },
      { replica: 'a', at: origin + intervalMs },
      { replica: 'a', at: origin + 2 * intervalMs }, // failed
      { replica: 'b', at: origin + 2 * intervalMs + half }, // retried within the interval
      { replica: 'b', at: origin + 3 * intervalMs + half },
      { replica: 'b', at: origin + 4 * intervalMs + half },
      { replica: 'b', at: origin + 5 * intervalMs + half },
    ]);
    assert.deepEqual(
      leases.releases.map((r) => r.completed),
      [true, true, false, true, true, true, true],
    );
    // A failed once, more than three intervals ago; its ticks since found the job not due.
    assert.equal(a.healthy(), true);
    assert.equal(b.healthy(), true);
  });

  it('two replicas ticking together: one runs, the other finds the lease held, each interval', async () => {
    const w = world(60);
    const { leases, origin, log } = w;
    const slow = async () => {
      await sleep(20);
      return 1;
    };
    const a = w.replica('a', 'expire-sessions', slow);
    const b = w.replica('b', 'expire-sessions', slow);
    const heldBefore = await runs('expire-sessions', 'held_elsewhere');
    for (let k = 0; k < 5; k++) {
      w.now = origin + k * 60_000;
      await Promise.all([a.tick(), b.tick()]);
    }
    assert.equal(log.length, 5);
    assert.deepEqual(
      [...a.job.runs, ...b.job.runs].map((r) => r.guard.fence).sort((x, y) => x - y),
      [1, 2, 3, 4, 5],
    );
    assert.equal((await runs('expire-sessions', 'held_elsewhere')) - heldBefore, 5);
    assert.deepEqual(
      leases.releases.map((r) => r.completed),
      [true, true, true, true, true],
    );
    assert.deepEqual(
      leases.docs.get('expire-sessions')?.lastCompletedRunStartedAt,
      new Date(w.now),
    );
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
    const origin = Date.now();
    r.clock = () => origin;
    r.tick(job);
    await sleep(10);
    r.tick(job);
    r.tick(job);
    await sleep(10);
    assert.equal(job.runs.length, 1);
    finish?.();
    await r.settled();
    r.clock = () => origin + 60_000; // the next interval: due again
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
    const failedBefore = await runs('sweep-uploads', 'failed');
    const errorsBefore = await metric('sharexpress_job_errors_total', { job: 'sweep-uploads' });
    r.tick(job);
    await r.settled();
    assert.deepEqual(leases.releases, [{ fence: 1, completed: false }]);
    assert.equal(leases.docs.get('sweep-uploads')?.lastCompletedAt, null);
    assert.equal((await runs('sweep-uploads', 'failed')) - failedBefore, 1);
    assert.equal(
      (await metric('sharexpress_job_errors_total', { job: 'sweep-uploads' })) - errorsBefore,
      1,
    );
    r.tick(job);
    await r.settled();
    assert.equal(job.runs.length, 2);
    assert.equal(job.runs[1]?.guard.fence, 2);
  });

  it('a run that fails after part of its work counts the items it did, as failed, not completed', async () => {
    const leases = new InMemoryJobLeases();
    const job = new FakeJob('purge-files', () =>
      Promise.reject(new PartialRunError('storage did not delete 1 object(s)', 999)),
    );
    const r = runner([job], leases);
    const itemsBefore = await metric('sharexpress_job_items_total', { job: 'purge-files' });
    const failedBefore = await runs('purge-files', 'failed');
    r.tick(job);
    await r.settled();
    assert.equal(
      (await metric('sharexpress_job_items_total', { job: 'purge-files' })) - itemsBefore,
      999,
    );
    assert.equal((await runs('purge-files', 'failed')) - failedBefore, 1);
    // Not a completion: the job stays due, and the next tick retries the refused key.
    assert.deepEqual(leases.releases, [{ fence: 1, completed: false }]);
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
    const lostBefore = await runs('verify-uploads', 'lease_lost');
    r.tick(job);
    await r.settled();
    // The renewal at ttl/3 (333 ms) finds the takeover; writes stop at the next check.
    assert.ok(writes >= 5 && writes <= 9, `${String(writes)} writes`);
    assert.deepEqual(leases.releases, []);
    assert.equal(leases.docs.get('verify-uploads')?.owner, 'elsewhere');
    assert.equal((await runs('verify-uploads', 'lease_lost')) - lostBefore, 1);
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
    await leases.acquire('reconcile-storage', 'elsewhere', new Date(), {
      ttlMs: 60_000,
      gapMs: 60_000,
    });
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

  it('ticks every interval from a first tick soon after start, each one due, and stops on shutdown', async () => {
    const leases = new InMemoryJobLeases();
    const registry = new SchedulerRegistry();
    const settings = config(2);
    const job = new FakeJob('expire-sessions');
    const r = new JobRunner(
      [job],
      leases,
      registry,
      settings,
      new JobMetrics(),
      new JobHeartbeats(settings),
    );
    started.push(r); // shut down after the test even if an assertion fails
    const notDueBefore = await runs('expire-sessions', 'not_due');
    r.onApplicationBootstrap();
    assert.ok(registry.doesExist('timeout', jobTimerName('expire-sessions', true)));
    const deadline = Date.now() + 8_000;
    while (job.runs.length < 2 && Date.now() < deadline) await sleep(50);
    assert.equal(job.runs.length, 2);
    assert.ok(registry.doesExist('interval', jobTimerName('expire-sessions')));
    // The interval counts from the first tick (1 s after start), not from start: the tick 2 s
    // after start would have found the first run not due and left the job to 4 s.
    const [first, second] = job.runs.map((run) => run.now.getTime());
    const apart = (second ?? 0) - (first ?? 0);
    assert.ok(apart >= runGapMs(2_000), `${String(apart)} ms apart`);
    assert.equal((await runs('expire-sessions', 'not_due')) - notDueBefore, 0);
    await r.beforeApplicationShutdown();
    assert.equal(registry.getIntervals().length, 0);
    assert.equal(registry.getTimeouts().length, 0);
    await sleep(2_200);
    assert.equal(job.runs.length, 2);
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
    const terms = { ttlMs: 1000, gapMs: 60_000 };
    const other = await leases.acquire('reconcile-storage', 'other', new Date(), terms);
    assert.notEqual(other.lease, null);
    await r.settled();
    assert.ok(checkedAfterRevoke instanceof LeaseLostError);
    assert.equal(leases.releases.length, 1);
  });
});
