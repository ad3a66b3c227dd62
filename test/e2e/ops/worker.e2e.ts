// The worker app as operators see it: /health/live, /health/ready (mongo + storage) and /metrics
// on its own port, built by the same createWorkerApp as its main.ts; it follows a storage outage
// like the API does, and closes cleanly.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { createWorkerApp } from '../../../apps/worker/src/bootstrap.js';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { testEnv } from '../../support/test-app.js';
import { eventually } from '../../support/eventually.js';
import { indicatorStatus, probe } from '../../support/probe.js';

describe('worker app', () => {
  let backends: TestBackends;
  let app: NestFastifyApplication;
  let baseUrl = '';
  let dataDir = '';

  before(async () => {
    backends = await startTestBackends();
    dataDir = await mkdtemp(join(tmpdir(), 'sx-worker-'));
    app = await createWorkerApp(loadConfig(testEnv(backends, dataDir)));
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    baseUrl = `http://127.0.0.1:${String(address.port)}`;
  });

  after(async () => {
    await app?.close();
    await backends?.stop();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  it('answers /health/live without touching its dependencies', async () => {
    const live = await probe(`${baseUrl}/health/live`);
    assert.equal(live.status, 200);
    assert.deepEqual((live.body as { status: string }).status, 'ok');
  });

  it('is ready with mongo and storage up', async () => {
    const ready = await probe(`${baseUrl}/health/ready`);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(indicatorStatus(ready.body, 'mongo'), 'up');
    assert.equal(indicatorStatus(ready.body, 'storage'), 'up');
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
});
