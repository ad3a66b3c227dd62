// Readiness follows the dependencies; closing the app lets in-flight requests finish.
// Devstack only (stops and restarts S3).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { ProbeModule } from './probe.module.js';

interface ReadyBody {
  status: string;
  details: Record<string, { status: string }>;
}

const external = Boolean(process.env.MONGODB_URI ?? process.env.S3_ENDPOINT);

describe('readiness and draining', { skip: external && 'devstack only' }, () => {
  let backends: TestBackends;
  let t: TestApp;

  before(async () => {
    backends = await startTestBackends();
    t = await startTestApp({ backends, extraModules: [ProbeModule] });
  });
  after(async () => {
    await t.close();
    await backends.stop();
  });

  it('answers 503 quickly with storage down, and 200 again once it is back', async () => {
    await backends.stopS3?.();
    try {
      const started = Date.now();
      const res = await fetch(`${t.baseUrl}/health/ready`);
      const elapsed = Date.now() - started;
      const body = (await res.json()) as ReadyBody;
      assert.equal(res.status, 503, JSON.stringify(body));
      assert.ok(elapsed < 3000, `answered in ${String(elapsed)} ms`);
      assert.equal(body.status, 'error');
      assert.equal(body.details.storage?.status, 'down');
      assert.equal(body.details.mongo?.status, 'up');
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      // Liveness does not depend on storage.
      assert.equal((await fetch(`${t.baseUrl}/health/live`)).status, 200);
    } finally {
      await backends.startS3?.();
    }
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await fetch(`${t.baseUrl}/health/ready`)).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(status, 200, 'ready again after S3 restarts');
  });

  it('finishes in-flight requests on close, then refuses new connections', async () => {
    const inFlight = fetch(`${t.baseUrl}/test-probe/slow`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const closing = t.app.close();
    const slow = await inFlight;
    assert.equal(slow.status, 200, 'the in-flight request completed');
    assert.deepEqual(await slow.json(), { done: true });
    await closing;
    // A keep-alive socket left open by the finished request must not hold close() up.
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `closed in ${String(elapsed)} ms`);
    await assert.rejects(fetch(`${t.baseUrl}/health/live`));
  });
});
