import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { HealthIndicatorService } from '@nestjs/terminus';
import { register, type Histogram } from 'prom-client';
import { startTestBackends, type TestBackends } from '../../../test/support/backends.js';
import { StorageUnavailableError } from '../src/errors/storage-errors.js';
import { StorageHealthIndicator } from '../src/health/storage-health.indicator.js';
import { createStorage, type Storage } from '../src/storage.factory.js';
import { s3SettingsFor } from './storage-fixtures.js';

const HALF_OPEN_MS = 400;

// Calls rejected by the open breaker, as recorded in storage_call_duration_seconds.
async function circuitOpenCount(): Promise<number> {
  const metric = register.getSingleMetric('storage_call_duration_seconds') as
    Histogram<'operation' | 'outcome'> | undefined;
  assert.ok(metric);
  const { values } = await metric.get();
  return values
    .filter(
      (v) =>
        v.metricName === 'storage_call_duration_seconds_count' &&
        v.labels.operation === 'HeadObject' &&
        v.labels.outcome === 'circuit_open',
    )
    .reduce((sum, v) => sum + v.value, 0);
}

describe('storage outage: breaker opens, fails fast, recovers (devstack only)', () => {
  let backends: TestBackends;
  let storage: Storage;
  let health: StorageHealthIndicator;

  before(async () => {
    backends = await startTestBackends();
    storage = createStorage(s3SettingsFor(backends, { maxAttempts: 1 }), {
      consecutiveFailures: 3,
      halfOpenAfterMs: HALF_OPEN_MS,
      callTimeoutMs: 2000,
    });
    health = new StorageHealthIndicator(
      new HealthIndicatorService(),
      storage.service,
      storage.policy,
    );
  });
  after(async () => {
    storage?.close();
    await backends?.stop();
  });

  it('is up while storage answers', async () => {
    assert.equal((await health.isHealthy()).storage.status, 'up');
  });

  it('storage stopped: calls fail, the breaker opens, then calls fail in < 50 ms', async (t) => {
    if (backends.stopS3 === undefined) return t.skip('real S3: cannot stop it');
    await backends.stopS3();
    for (let i = 0; i < 3; i++) {
      await assert.rejects(storage.service.headObject('files/any'), StorageUnavailableError);
    }
    assert.equal(storage.policy.circuitState, 'open');
    const rejectedBefore = await circuitOpenCount();
    const durations: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const err = await storage.service.headObject('files/any').catch((e: unknown) => e);
      durations.push(performance.now() - started);
      assert.ok(err instanceof StorageUnavailableError);
      assert.ok((err.retryAfterSeconds ?? 0) >= 1);
    }
    // The median keeps one scheduler hiccup on a loaded CI machine from failing the run.
    const median = durations.sort((a, b) => a - b)[2];
    assert.ok(median < 50, `fails fast while open (median ${median.toFixed(1)} ms)`);
    assert.equal(await circuitOpenCount(), rejectedBefore + 5, 'storage was not called');
    const result = await health.isHealthy('s3');
    assert.equal(result.s3.status, 'down');
  });

  it('storage back on the same port: a half-open probe closes the breaker', async (t) => {
    if (backends.startS3 === undefined) return t.skip('real S3: cannot restart it');
    await backends.startS3();
    await sleep(HALF_OPEN_MS + 100);
    assert.equal(await storage.service.headObject('files/any'), null);
    assert.equal(storage.policy.circuitState, 'closed');
    assert.equal((await health.isHealthy()).storage.status, 'up');
  });
});

describe('a server that accepts TCP and never answers is cut off', () => {
  let server: Server;
  let endpoint: string;
  const sockets = new Set<Socket>();

  before(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      // Read (and ignore) the request, so the client's FIN is seen and 'close' fires.
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const settings = (requestTimeoutMs: number) => ({
    endpoint,
    publicEndpoint: endpoint,
    region: 'us-east-1',
    bucket: 'hung',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    forcePathStyle: true,
    connectTimeoutMs: 500,
    requestTimeoutMs,
    maxAttempts: 2,
    breakerFailures: 5,
    breakerHalfOpenMs: 5000,
  });

  it('by the per-attempt request timeout of the HTTP handler', async () => {
    const storage = createStorage(settings(200), { callTimeoutMs: 10_000 });
    try {
      const started = performance.now();
      await assert.rejects(storage.service.headObject('k'), StorageUnavailableError);
      const elapsed = performance.now() - started;
      // Two attempts of 200 ms plus the SDK's jittered backoff, far below the 10 s deadline.
      assert.ok(elapsed < 3000, `took ${elapsed} ms`);
      await sleep(100);
      assert.equal(sockets.size, 0, 'timed-out requests close their sockets');
    } finally {
      storage.close();
    }
  });

  it('by the overall deadline, which aborts the SDK call', async () => {
    const storage = createStorage(settings(60_000), { callTimeoutMs: 300 });
    try {
      const started = performance.now();
      await assert.rejects(storage.service.headBucket(), StorageUnavailableError);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 1000, `took ${elapsed} ms`);
      // The aborted request must not leave its socket open.
      await sleep(100);
      assert.equal(sockets.size, 0);
    } finally {
      storage.close();
    }
  });
});
