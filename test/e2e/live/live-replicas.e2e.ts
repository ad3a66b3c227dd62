// Live updates across replicas (issue 16's must-show): two API processes (each the compiled
// main.js) on one devstack database, sharing only MongoDB, the signing key and PUBLIC_URL. An
// event produced through A reaches a stream on B in under a second; a stream that reconnects
// with Last-Event-ID (to the other replica) misses nothing and sees nothing twice; and a replica
// told to stop ends its streams with `shutdown` and exits in seconds, not at its deadline.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApiProcess, type ApiProcess } from '../../support/api-process.js';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { sharedApiIdentity } from '../../support/replica-cluster.js';
import { dropDatabase, testEnv } from '../../support/test-app.js';
import { allActivity } from '../sessions/sessions-client.js';
import { GENEROUS_LIMITS, ownerWithSession, pairDevice, rename } from './live-fixtures.js';
import { dataOf, openStream, type SseFrame } from './sse-client.js';

const ROUNDS = 5;

describe('live: across two API processes', () => {
  let backends: TestBackends;
  let dataDir = '';
  let mongoUri = '';
  let A: ApiProcess;
  let B: ApiProcess;

  before(async () => {
    backends = await startTestBackends();
    dataDir = await mkdtemp(join(tmpdir(), 'sx-live-'));
    mongoUri = `${backends.mongoUri}/sx_live_${randomSuffix()}`;
    const identity = sharedApiIdentity();
    const env = (name: string) => ({
      ...testEnv(backends, join(dataDir, name)),
      ...identity,
      ...GENEROUS_LIMITS,
      MONGODB_URI: mongoUri,
    });
    [A, B] = await Promise.all([startApiProcess(env('a')), startApiProcess(env('b'))]);
  });
  after(async () => {
    await Promise.all([A?.stop(), B?.stop()]);
    if (backends?.external.mongo) await dropDatabase(mongoUri);
    await backends?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers an event written through A to a stream on B in under a second', async (t) => {
    const { owner, session } = await ownerWithSession(A.baseUrl);
    const stream = await openStream(B.baseUrl, session.id, { token: owner.token });
    try {
      await stream.next();
      const latencies: number[] = [];
      for (let i = 0; i < ROUNDS; i += 1) {
        const sent = Date.now();
        await rename(A.baseUrl, owner, session.id, `round ${String(i)}`);
        const frame = await stream.next(3000);
        assert.equal(frame.event, 'session.renamed');
        assert.deepEqual(dataOf<{ data: unknown }>(frame).data, { name: `round ${String(i)}` });
        latencies.push(frame.at - sent);
      }
      const worst = Math.max(...latencies);
      t.diagnostic(`A → B latencies: ${latencies.join(', ')} ms`);
      assert.ok(worst < 1000, `latencies ${latencies.join(', ')} ms`);
    } finally {
      stream.close();
    }
  });

  it('resumes with Last-Event-ID on the other replica: exactly the missed events, in order, once', async () => {
    const { owner, session } = await ownerWithSession(A.baseUrl);
    const first = await openStream(B.baseUrl, session.id, { token: owner.token, after: '0' });
    const seen: SseFrame[] = [];
    assert.equal((await first.next()).event, 'ready');
    // session.created, then a rename: the catch-up from 0 and a live one.
    await rename(A.baseUrl, owner, session.id, 'before the drop');
    seen.push(await first.next(3000), await first.next(3000));
    first.close();
    const lastId = seen.at(-1)?.id ?? '';
    // While disconnected: a pairing and a claim (two events) and two renames.
    await pairDevice(A.baseUrl, owner, session.id);
    await rename(A.baseUrl, owner, session.id, 'while away 1');
    await rename(A.baseUrl, owner, session.id, 'while away 2');

    const second = await openStream(A.baseUrl, session.id, {
      token: owner.token,
      lastEventId: lastId,
    });
    try {
      const ready = await second.next();
      assert.deepEqual([ready.event, ready.id], ['ready', lastId]);
      const missed = await allActivity(A.baseUrl, owner.token, session.id);
      const expected = missed.filter((e) => e.seq > Number(lastId));
      assert.equal(expected.length, 4);
      const got: SseFrame[] = [];
      for (let i = 0; i < expected.length; i += 1) got.push(await second.next(3000));
      // Nothing more comes (no duplicate of anything already delivered).
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.equal(second.frames.length, 1 + expected.length);
      const all = [...seen, ...got].map((f) => dataOf<{ seq: number }>(f));
      assert.deepEqual(all, missed);
      assert.deepEqual(
        got.map((f) => f.id),
        expected.map((e) => String(e.seq)),
      );
    } finally {
      second.close();
    }
  });

  // A client that aborted its stream leaves a spare connection behind (undici opens one) that
  // never carries a request; close() used to wait connectionTimeout (60 s) for it, so the process
  // reached its 25 s deadline and exited 1.
  it('exits 0 in seconds on SIGTERM after a client aborted its stream', async (t) => {
    const C = await startApiProcess({
      ...testEnv(backends, join(dataDir, 'c')),
      ...sharedApiIdentity(),
      ...GENEROUS_LIMITS,
      MONGODB_URI: mongoUri,
    });
    const { owner, session } = await ownerWithSession(C.baseUrl);
    const stream = await openStream(C.baseUrl, session.id, { token: owner.token });
    await stream.next();
    stream.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopping = Date.now();
    const code = await C.stop();
    const took = Date.now() - stopping;
    t.diagnostic(`SIGTERM → exit after an aborted stream: ${String(took)} ms`);
    assert.equal(code, 0, C.run.stderr());
    assert.ok(took < 5000, `exit took ${String(took)} ms (the deadline is 25 s)`);
  });

  it('ends its streams with `shutdown` on SIGTERM and exits in seconds; the stream resumes on A', async (t) => {
    const { owner, session } = await ownerWithSession(A.baseUrl);
    const onB = await openStream(B.baseUrl, session.id, { token: owner.token });
    const ready = await onB.next();
    const stopping = Date.now();
    const exit = B.stop();
    const end = await onB.next(5000);
    assert.deepEqual([end.event, dataOf(end)], ['end', { reason: 'shutdown' }]);
    await onB.ended;
    const code = await exit;
    const took = Date.now() - stopping;
    t.diagnostic(`SIGTERM → exit: ${String(took)} ms`);
    assert.equal(code, 0, B.run.stderr());
    assert.ok(took < 5000, `exit took ${String(took)} ms (the deadline is 25 s)`);
    // What the client does next: reconnect with Last-Event-ID, another replica answers.
    await rename(A.baseUrl, owner, session.id, 'after the shutdown');
    const onA = await openStream(A.baseUrl, session.id, {
      token: owner.token,
      lastEventId: ready.id ?? '',
    });
    try {
      assert.equal((await onA.next()).event, 'ready');
      assert.equal((await onA.next(3000)).event, 'session.renamed');
    } finally {
      onA.close();
    }
  });
});
