// The worker app as operators see it: /health/live, /health/ready (mongo, storage, jobs) and
// /metrics on its own port, built by the same createWorkerApp as its main.ts; its jobs tick under
// their leases, it puts the bucket's lifecycle rule, follows a storage outage like the API does,
// and closes cleanly, leaving no lease held.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MongoClient } from 'mongodb';
import { JOB_NAMES, loadConfig, type AppConfig } from '@app/config';
import { createWorkerApp } from '../../../apps/worker/src/bootstrap.js';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { testEnv } from '../../support/test-app.js';
import { eventually } from '../../support/eventually.js';
import { indicatorStatus, probe } from '../../support/probe.js';
import { bucketClient, FAST_JOBS, total } from '../worker/worker-fixtures.js';

describe('worker app', () => {
  let backends: TestBackends;
  let app: NestFastifyApplication;
  let config: AppConfig;
  let closed = false;
  let baseUrl = '';
  let dataDir = '';

  before(async () => {
    backends = await startTestBackends();
    dataDir = await mkdtemp(join(tmpdir(), 'sx-worker-'));
    config = loadConfig({ ...testEnv(backends, dataDir), ...FAST_JOBS });
    app = await createWorkerApp(config);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    baseUrl = `http://127.0.0.1:${String(address.port)}`;
  });

  after(async () => {
    if (!closed) await app?.close();
    await backends?.stop();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  it('answers /health/live without touching its dependencies', async () => {
    const live = await probe(`${baseUrl}/health/live`);
    assert.equal(live.status, 200);
    assert.deepEqual((live.body as { status: string }).status, 'ok');
  });

  it('is ready with mongo, storage and jobs up', async () => {
    const ready = await probe(`${baseUrl}/health/ready`);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(indicatorStatus(ready.body, 'mongo'), 'up');
    assert.equal(indicatorStatus(ready.body, 'storage'), 'up');
    assert.equal(indicatorStatus(ready.body, 'jobs'), 'up');
    const jobs = (ready.body as { details: { jobs: Record<string, unknown> } }).details.jobs;
    for (const job of JOB_NAMES) {
      assert.deepEqual(Object.keys(jobs[job] as object).sort(), [
        'healthy',
        'intervalSeconds',
        'lastHealthyAt',
      ]);
    }
  });

  it('runs every job each second under its lease, without errors', async () => {
    const text = await eventually('two completed runs of every job', 15_000, async () => {
      const metrics = String((await probe(`${baseUrl}/metrics`)).body);
      const done = JOB_NAMES.every(
        (job) => total(metrics, 'sharexpress_job_runs_total', { job, outcome: 'completed' }) >= 2,
      );
      return done ? metrics : undefined;
    });
    for (const job of JOB_NAMES) {
      assert.equal(total(text, 'sharexpress_job_errors_total', { job }), 0, job);
      assert.equal(total(text, 'sharexpress_job_runs_total', { job, outcome: 'failed' }), 0, job);
      assert.ok(total(text, 'sharexpress_job_last_success_timestamp_seconds', { job }) > 0, job);
      assert.equal(samplesOf(text, 'sharexpress_job_lease_held', job), true, job);
      assert.equal(samplesOf(text, 'sharexpress_job_duration_seconds_count', job), true, job);
    }
    const client = new MongoClient(config.mongo.uri);
    try {
      const leases = await client.db().collection('leases').find({}).toArray();
      assert.deepEqual(leases.map((l) => l._id).sort(), [...JOB_NAMES].sort());
      for (const lease of leases) {
        assert.ok(lease.lastCompletedAt instanceof Date, String(lease._id));
        assert.ok((lease.fence as number) >= 2, String(lease._id));
      }
    } finally {
      await client.close();
    }
  });

  it('puts the bucket rule that aborts incomplete uploads under sessions/ after the upload window plus a day', async () => {
    const s3 = bucketClient(backends);
    try {
      const rule = await eventually('the lifecycle rule', 10_000, async () => {
        const out = await s3
          .send(new GetBucketLifecycleConfigurationCommand({ Bucket: backends.s3.bucket }))
          .catch(() => undefined);
        return out?.Rules?.find((r) => r.ID === 'sharexpress-abort-incomplete-uploads');
      });
      assert.equal(rule.Status, 'Enabled');
      // The default upload window (one day) plus a day's margin.
      assert.equal(rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation, 2);
      assert.equal(rule.Filter?.Prefix ?? rule.Prefix, 'sessions/');
    } finally {
      s3.destroy();
    }
  });

  it('exposes Prometheus metrics, including its own HTTP requests and storage calls', async () => {
    await probe(`${baseUrl}/health/ready`);
    const metrics = await probe(`${baseUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    const text = String(metrics.body);
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /http_request_duration_seconds_count\{[^}]*route="\/health\/ready"/);
    assert.match(text, /storage_call_duration_seconds_count\{[^}]*operation="HeadBucket"/);
  });

  it('answers an unknown route with 404 problem+json, like the API', async () => {
    const res = await probe(`${baseUrl}/v1/sessions`);
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('reports storage down while S3 is stopped and recovers without a restart', async (t) => {
    if (backends.stopS3 === undefined || backends.startS3 === undefined) {
      t.skip('needs the devstack S3 (S3_ENDPOINT points at a real service)');
      return;
    }
    await backends.stopS3();
    const down = await eventually('worker readiness 503', 10_000, async () => {
      const ready = await probe(`${baseUrl}/health/ready`);
      return ready.status === 503 ? ready : undefined;
    });
    assert.equal(indicatorStatus(down.body, 'storage'), 'down');
    assert.equal(indicatorStatus(down.body, 'mongo'), 'up');
    await backends.startS3();
    await eventually('worker readiness 200 again', 30_000, async () => {
      const ready = await probe(`${baseUrl}/health/ready`);
      return ready.status === 200 ? true : undefined;
    });
  });

  it('closes promptly while its jobs tick, leaving no lease held', async () => {
    const started = performance.now();
    await app.close();
    closed = true;
    assert.ok(performance.now() - started < 5_000, 'closed within 5 s');
    const client = new MongoClient(config.mongo.uri);
    try {
      const leases = await client.db().collection('leases').find({}).toArray();
      assert.equal(leases.length, JOB_NAMES.length);
      const now = Date.now();
      for (const lease of leases) {
        assert.ok((lease.until as Date).getTime() <= now, `${String(lease._id)} still held`);
      }
    } finally {
      await client.close();
    }
  });
});

/** Whether `name` has a sample for `job` in a Prometheus text exposition. */
function samplesOf(text: string, name: string, job: string): boolean {
  return text
    .split('\n')
    .some((line) => line.startsWith(`${name}{`) && line.includes(`job="${job}"`));
}
