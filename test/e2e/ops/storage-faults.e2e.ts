// Storage outage, end to end: stop the devstack's S3 under a running API → /health/ready turns
// 503 (storage down) within 2 s; once the circuit breaker is open a storage-backed call answers
// 503 STORAGE_UNAVAILABLE with Retry-After in milliseconds; restart S3 on the same port and data
// dir → both recover without restarting anything.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@app/config';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { startTestApp, testEnv, type TestApp } from '../../support/test-app.js';
import { eventually } from '../../support/eventually.js';
import { indicatorStatus, probe, type Probe } from '../../support/probe.js';
import { EXTERNAL_SKIP_REASON } from './ops-helpers.js';
import { startStorageProbeApp, type StorageProbeApp } from './storage-probe-app.js';

const backends: TestBackends = await startTestBackends();
const skip = backends.stopS3 === undefined ? EXTERNAL_SKIP_REASON : false;
after(() => backends.stop());

describe('storage outage and recovery', { skip }, () => {
  let api: TestApp;
  let probeApp: StorageProbeApp;
  let dataDir = '';

  before(async () => {
    api = await startTestApp({ backends });
    dataDir = await mkdtemp(join(tmpdir(), 'sx-storage-faults-'));
    probeApp = await startStorageProbeApp(loadConfig(testEnv(backends, dataDir)));
  });

  after(async () => {
    await probeApp?.close();
    await api?.close();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  const ready = (): Promise<Probe> => probe(`${api.baseUrl}/health/ready`);
  const headObject = (): Promise<Probe> =>
    probe(`${probeApp.baseUrl}/test-storage/objects/missing`);

  it('is ready, and a missing object is a normal answer, before the outage', async () => {
    const before = await ready();
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.equal(indicatorStatus(before.body, 'storage'), 'up');
    const missing = await headObject();
    assert.equal(missing.status, 200);
    assert.deepEqual(missing.body, { exists: false });
  });

  it('turns /health/ready 503 with storage down within 2 s of S3 stopping', async () => {
    await backends.stopS3?.();
    const down = await ready();
    assert.equal(down.status, 503, JSON.stringify(down.body));
    assert.ok(down.elapsedMs < 2_000, `readiness took ${down.elapsedMs.toFixed(0)} ms`);
    assert.equal(indicatorStatus(down.body, 'storage'), 'down');
    assert.equal(indicatorStatus(down.body, 'mongo'), 'up');
  });

  it('answers 503 STORAGE_UNAVAILABLE with Retry-After within milliseconds once the breaker is open', async () => {
    // Each failing call counts towards opening the breaker; then calls fail without touching S3.
    await eventually('the circuit breaker to open', 20_000, async () => {
      const res = await headObject();
      return res.status === 503 && res.elapsedMs < 100 ? res : undefined;
    });
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await headObject();
      timings.push(res.elapsedMs);
      assert.equal(res.status, 503);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal((res.body as { code?: string }).code, 'STORAGE_UNAVAILABLE');
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(
        Number.isInteger(retryAfter) && retryAfter >= 1,
        `Retry-After ${String(retryAfter)}`,
      );
    }
    const slowest = Math.max(...timings);
    assert.ok(slowest < 250, `slowest answer with the breaker open: ${slowest.toFixed(0)} ms`);
    // Readiness stays fast too: the open breaker answers without waiting for S3.
    const down = await ready();
    assert.equal(down.status, 503);
    assert.ok(down.elapsedMs < 2_000, `readiness took ${down.elapsedMs.toFixed(0)} ms`);
  });

  it('recovers by itself when S3 is back on the same port, without restarting the apps', async () => {
    await backends.startS3?.();
    // The breaker lets a probe through after its half-open delay (~5 s by default).
    await eventually('/health/ready = 200 after S3 restart', 30_000, async () => {
      const res = await ready();
      return res.status === 200 ? res : undefined;
    });
    const recovered = await eventually('storage-backed call to recover', 30_000, async () => {
      const res = await headObject();
      return res.status === 200 ? res : undefined;
    });
    assert.deepEqual(recovered.body, { exists: false });
  });
});
