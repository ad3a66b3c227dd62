import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthIndicatorService } from '@nestjs/terminus';
import { JOB_NAMES, type AppConfig, type JobName } from '@app/config';
import type { LifecycleJob } from '../lifecycle-job.js';
import { JobHeartbeats } from './job-heartbeats.js';
import { JobsHealthIndicator } from './jobs-health.indicator.js';

const INTERVALS: Record<JobName, number> = {
  'expire-sessions': 60,
  'purge-files': 60,
  'sweep-uploads': 60,
  'verify-uploads': 2,
  'reconcile-storage': 3600,
  'prune-records': 3600,
};
const settings: Pick<AppConfig, 'jobs'> = {
  jobs: {
    intervals: INTERVALS,
    leaseTtlSeconds: 60,
    orphanGraceSeconds: 3600,
    sessionRetentionSeconds: 3600,
    verifyConcurrency: 2,
  },
};
const jobs: LifecycleJob[] = JOB_NAMES.map((name) => ({ name, run: () => Promise.resolve(0) }));

type Entry = { status: string; message?: string } & Record<
  string,
  { healthy: boolean; lastHealthyAt: string; intervalSeconds: number } | string | undefined
>;

function setup() {
  const heartbeats = new JobHeartbeats(settings);
  const start = heartbeats.clock();
  let now = start;
  heartbeats.clock = () => now;
  const indicator = new JobsHealthIndicator(new HealthIndicatorService(), heartbeats, jobs);
  return {
    heartbeats,
    at: (ms: number) => (now = start + ms),
    jobs: async () => (await indicator.isHealthy('jobs')).jobs as Entry,
  };
}

describe('JobsHealthIndicator', () => {
  it('a fresh worker is up: its start counts as every job having run', async () => {
    const { heartbeats, jobs: entry } = setup();
    const result = await entry();
    assert.equal(result.status, 'up');
    assert.deepEqual(result['purge-files'], {
      healthy: true,
      lastHealthyAt: new Date(heartbeats.clock()).toISOString(),
      intervalSeconds: 60,
    });
  });

  it('goes down after three intervals without a healthy tick, naming the job, and up again', async () => {
    const { heartbeats, at, jobs: entry } = setup();
    // verify-uploads runs every 2 s: 6 s is still within three intervals, 6.001 s is not.
    at(6_000);
    assert.equal((await entry()).status, 'up');
    at(6_001);
    const down = await entry();
    assert.equal(down.status, 'down');
    assert.match(down.message ?? '', /verify-uploads/);
    assert.doesNotMatch(down.message ?? '', /purge-files/);
    const late = down['verify-uploads'] as { healthy: boolean; intervalSeconds: number };
    assert.equal(late.healthy, false);
    assert.equal(late.intervalSeconds, 2);
    heartbeats.healthy('verify-uploads');
    assert.equal((await entry()).status, 'up');
    // Every job late: each must tick again before the worker is ready.
    at(3 * 3600_000 + 10_000);
    assert.equal((await entry()).status, 'down');
    for (const job of JOB_NAMES.filter((name) => name !== 'prune-records')) heartbeats.healthy(job);
    assert.match((await entry()).message ?? '', /^[^,]*prune-records$/);
    heartbeats.healthy('prune-records');
    assert.equal((await entry()).status, 'up');
  });
});
