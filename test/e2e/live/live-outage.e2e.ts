// Live updates through a MongoDB outage (a TCP fault proxy between the app and the database):
// the open stream stays open on heartbeats, the tail backs off instead of querying every tick,
// and once MongoDB is back the stream delivers again, nothing lost, nothing twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { register } from 'prom-client';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { startFaultProxy, targetOf, viaProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { dropDatabase, startTestApp, type TestApp } from '../../support/test-app.js';
import { call } from '../pairing/pairing-client.js';
import { GENEROUS_LIMITS, ownerWithSession } from './live-fixtures.js';
import { dataOf, openStream } from './sse-client.js';

const OUTAGE_MS = 6000;
const POLL_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const backends: TestBackends = await startTestBackends();
after(() => backends.stop());

let skip: string | false = false;
try {
  targetOf(backends.mongoUri);
} catch (err) {
  skip = `MONGODB_URI cannot be proxied: ${(err as Error).message}`;
}

/** Failed tail queries so far, from the metric an operator sees at /metrics. */
async function failedTailQueries(): Promise<number> {
  const metric = register.getSingleMetric('sharexpress_live_tail_query_seconds');
  const values = ((await metric?.get())?.values ?? []) as {
    metricName?: string;
    labels: Record<string, string | number | undefined>;
    value: number;
  }[];
  return values
    .filter((v) => v.metricName?.endsWith('_count') === true && v.labels.outcome === 'error')
    .reduce((sum, v) => sum + v.value, 0);
}

describe('live: a MongoDB outage', { skip }, () => {
  const directUri = `${backends.mongoUri}/sx_${randomSuffix()}`;
  let proxy: FaultProxy;
  let t: TestApp;

  before(async () => {
    proxy = await startFaultProxy(targetOf(backends.mongoUri));
    t = await startTestApp({
      backends,
      env: {
        ...GENEROUS_LIMITS,
        MONGODB_URI: viaProxy(directUri, proxy),
        SSE_POLL_INTERVAL_MS: String(POLL_MS),
        SSE_HEARTBEAT_SECONDS: '1',
      },
    });
  });
  after(async () => {
    await t?.close();
    await proxy?.close();
    await dropDatabase(directUri);
  });

  it('keeps the stream open, backs the tail off while MongoDB refuses, and delivers again once it is back', async (ctx) => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const stream = await openStream(t.baseUrl, session.id, { token: owner.token });
    try {
      const ready = await stream.next();
      const failedBefore = await failedTailQueries();
      proxy.setMode('refuse');
      await sleep(OUTAGE_MS);
      const failed = (await failedTailQueries()) - failedBefore;
      ctx.diagnostic(`failed tail queries in ${String(OUTAGE_MS)} ms of outage: ${String(failed)}`);
      // Every tick would be OUTAGE_MS / POLL_MS = 24 queries; the backoff (0.5, 1, 2, 4, 5 s …)
      // makes it about five.
      assert.ok(failed >= 2, `the tail kept trying (${String(failed)} failures)`);
      assert.ok(failed <= 8, `${String(failed)} failed tail queries: no backoff`);
      const beats = stream.comments.filter((c) => c.text === 'heartbeat').length;
      assert.ok(beats >= OUTAGE_MS / 1000 - 2, `${String(beats)} heartbeats during the outage`);
      proxy.setMode('pass');

      let sent = 0;
      await eventually('a rename to go through again', 20_000, async () => {
        const res = await call(t.baseUrl, 'PATCH', `/v1/sessions/${session.id}`, {
          token: owner.token,
          body: { name: 'After the outage' },
        });
        await res.body?.cancel();
        sent = Date.now();
        return res.status === 200 ? true : undefined;
      });
      const frame = await stream.next(10_000);
      ctx.diagnostic(`first event after the outage: ${String(frame.at - sent)} ms`);
      assert.equal(frame.event, 'session.renamed');
      assert.equal(Number(frame.id), Number(ready.id) + 1, 'nothing lost');
      assert.deepEqual(dataOf<{ data: unknown }>(frame).data, { name: 'After the outage' });
      // Healthy again: back to the normal interval.
      await sleep(500);
      const res = await call(t.baseUrl, 'PATCH', `/v1/sessions/${session.id}`, {
        token: owner.token,
        body: { name: 'Live again' },
      });
      assert.equal(res.status, 200);
      const again = Date.now();
      const next = await stream.next(3000);
      assert.equal(next.event, 'session.renamed');
      assert.ok(next.at - again < 1000, `${String(next.at - again)} ms once healthy`);
      assert.deepEqual(
        stream.frames.filter((f) => f.event === 'end'),
        [],
        'the stream was never ended',
      );
    } finally {
      stream.close();
    }
  });
});
