// MongoDB outage, end to end: stop the devstack's MongoDB under a running API → /health/ready
// turns 503 with mongo down, quickly; restart it on the same port → ready again, no app restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { eventually } from '../../support/eventually.js';
import { indicatorStatus, probe } from '../../support/probe.js';
import { EXTERNAL_SKIP_REASON } from './ops-helpers.js';

const backends: TestBackends = await startTestBackends();
const skip = backends.stopMongo === undefined ? EXTERNAL_SKIP_REASON : false;
after(() => backends.stop());

describe('MongoDB outage and recovery', { skip }, () => {
  let api: TestApp;

  before(async () => {
    api = await startTestApp({ backends });
  });
  after(() => api?.close());

  it('is ready before the outage', async () => {
    const ready = await probe(`${api.baseUrl}/health/ready`);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(indicatorStatus(ready.body, 'mongo'), 'up');
  });

  it('turns /health/ready 503 with mongo down, within the readiness bound', async () => {
    await backends.stopMongo?.();
    const down = await eventually('readiness 503', 10_000, async () => {
      const res = await probe(`${api.baseUrl}/health/ready`);
      return res.status === 503 ? res : undefined;
    });
    assert.ok(down.elapsedMs < 3_000, `readiness took ${down.elapsedMs.toFixed(0)} ms`);
    assert.equal(indicatorStatus(down.body, 'mongo'), 'down');
    assert.equal(indicatorStatus(down.body, 'storage'), 'up');
    // Liveness never depends on MongoDB: an outage must not get pods restarted.
    assert.equal((await probe(`${api.baseUrl}/health/live`)).status, 200);
  });

  it('recovers when MongoDB is back on the same port, without restarting the API', async () => {
    await backends.startMongo?.();
    await eventually('readiness 200 after MongoDB restart', 30_000, async () => {
      const res = await probe(`${api.baseUrl}/health/ready`);
      return res.status === 200 && indicatorStatus(res.body, 'mongo') === 'up' ? res : undefined;
    });
  });
});
