// GET /v1/sessions/:id/events over real HTTP: who may subscribe, what a stream looks like, what
// ends it, and the caps. One API app (in this process) on the devstack.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LiveHub } from '../../../apps/api/src/modules/live/live-hub.js';
import { eventually } from '../../support/eventually.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  closeSession,
  currentSeq,
  GENEROUS_LIMITS,
  ownerWithSession,
  pairDevice,
  rename,
  revokeDevice,
} from './live-fixtures.js';
import { dataOf, openStream, requestStream, type SseStream } from './sse-client.js';

const PER_SESSION = 3;

describe('live: event streams', () => {
  let t: TestApp;
  let base = '';
  let hub: LiveHub;
  const open: SseStream[] = [];

  before(async () => {
    t = await startTestApp({
      env: {
        ...GENEROUS_LIMITS,
        SESSION_MIN_TTL_SECONDS: '1',
        SSE_MAX_STREAMS_PER_SESSION: String(PER_SESSION),
        SSE_POLL_INTERVAL_MS: '100',
      },
    });
    base = t.baseUrl;
    hub = t.app.get(LiveHub);
  });
  after(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  const subscribe = async (...args: Parameters<typeof openStream>) => {
    const s = await openStream(...args);
    open.push(s);
    return s;
  };

  it('answers with the contract headers and a ready frame at the current seq, then live events', async () => {
    const { owner, session } = await ownerWithSession(base);
    const seq = await currentSeq(base, owner, session.id);
    const s = await subscribe(base, session.id, { token: owner.token });
    const h = s.response.headers;
    assert.equal(h.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(h.get('cache-control'), 'no-store');
    assert.equal(h.get('x-accel-buffering'), 'no');
    assert.equal(h.get('x-content-type-options'), 'nosniff');
    assert.match(h.get('x-request-id') ?? '', /^[\w-]{8,}$/);
    const ready = await s.next();
    assert.deepEqual(
      { event: ready.event, id: ready.id, retry: ready.retry, data: dataOf(ready) },
      { event: 'ready', id: String(seq), retry: 3000, data: { sessionId: session.id, after: seq } },
    );
    await rename(base, owner, session.id, 'Renamed live');
    const event = await s.next(3000);
    assert.equal(event.event, 'session.renamed');
    assert.equal(event.id, String(seq + 1));
    const item = dataOf<{ seq: number; type: string; at: string; data: unknown }>(event);
    assert.deepEqual(Object.keys(item), ['seq', 'type', 'at', 'data']);
    assert.deepEqual(
      { seq: item.seq, type: item.type, data: item.data },
      { seq: seq + 1, type: 'session.renamed', data: { name: 'Renamed live' } },
    );
  });

  it('answers HEAD with the stream headers and ends at once, holding no stream open', async () => {
    const { owner, session } = await ownerWithSession(base);
    const res = await fetch(`${base}/v1/sessions/${session.id}/events`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${owner.token}` },
      signal: AbortSignal.timeout(3000),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(await res.text(), '');
    assert.equal(hub.streamsOf(session.id), 0);
  });

  it('lets an active device subscribe too; both see the same events', async () => {
    const { owner, session } = await ownerWithSession(base);
    const claim = await pairDevice(base, owner, session.id);
    const ownerStream = await subscribe(base, session.id, { token: owner.token });
    const deviceStream = await subscribe(base, session.id, { token: claim.accessToken });
    await ownerStream.next();
    await deviceStream.next();
    await rename(base, owner, session.id, 'Both see it');
    const [a, b] = await Promise.all([ownerStream.next(3000), deviceStream.next(3000)]);
    assert.equal(a.event, 'session.renamed');
    assert.deepEqual(b, { ...a, at: b.at });
  });

  it("refuses another user's session (404), no or a bad token (401), a device of another session (404)", async () => {
    const mine = await ownerWithSession(base);
    const theirs = await ownerWithSession(base);
    const theirDevice = await pairDevice(base, theirs.owner, theirs.session.id);
    await expectProblem(
      await requestStream(base, theirs.session.id, { token: mine.owner.token }),
      404,
      'NOT_FOUND',
    );
    await expectProblem(
      await requestStream(base, mine.session.id, { token: theirDevice.accessToken }),
      404,
      'NOT_FOUND',
    );
    await expectProblem(await requestStream(base, mine.session.id), 401, 'UNAUTHENTICATED');
    await expectProblem(
      await requestStream(base, mine.session.id, { token: 'not.a.token' }),
      401,
      'UNAUTHENTICATED',
    );
    // A token in the URL is not a way in.
    const res = await fetch(
      `${base}/v1/sessions/${mine.session.id}/events?access_token=${mine.owner.token}`,
    );
    assert.ok(res.status === 400 || res.status === 401, String(res.status));
    await res.body?.cancel();
  });

  it('refuses a bad Last-Event-ID or after, one past the latest event, and the two disagreeing (400)', async () => {
    const { owner, session } = await ownerWithSession(base);
    const seq = await currentSeq(base, owner, session.id);
    const bad: Parameters<typeof requestStream>[2][] = [
      { lastEventId: 'abc' },
      { lastEventId: '-1' },
      { lastEventId: '1.5' },
      { lastEventId: '9999999999999999' },
      { after: 'x' },
      { after: '-3' },
      { lastEventId: String(seq + 1) },
      { after: String(seq + 5) },
      { lastEventId: '0', after: String(seq) },
    ];
    for (const options of bad) {
      const problem = await expectProblem(
        await requestStream(base, session.id, { token: owner.token, ...options }),
        400,
        'VALIDATION_FAILED',
      );
      assert.ok((problem.errors?.length ?? 0) > 0, JSON.stringify(options));
    }
    // Both given and equal is fine.
    const s = await subscribe(base, session.id, {
      token: owner.token,
      lastEventId: '0',
      after: '0',
    });
    assert.equal((await s.next()).id, '0');
    assert.equal((await s.next()).event, 'session.created');
  });

  it('takes an empty Last-Event-ID as absent (what generic SSE readers send): live from the current seq', async () => {
    const { owner, session } = await ownerWithSession(base);
    const seq = await currentSeq(base, owner, session.id);
    const s = await subscribe(base, session.id, { token: owner.token, lastEventId: '' });
    const ready = await s.next();
    assert.deepEqual([ready.event, ready.id], ['ready', String(seq)]);
    const resumed = await subscribe(base, session.id, {
      token: owner.token,
      lastEventId: '',
      after: '0',
    });
    assert.equal((await resumed.next()).id, '0');
    assert.equal((await resumed.next()).event, 'session.created');
  });

  it('holds nothing for clients that go away while their stream is being opened, so they never fill the caps', async () => {
    const { owner, session } = await ownerWithSession(base);
    const before = hub.streams;
    const { hostname, port } = new URL(base);
    const request =
      `GET /v1/sessions/${session.id}/events HTTP/1.1\r\nhost: ${hostname}:${port}\r\n` +
      `authorization: Bearer ${owner.token}\r\naccept: text/event-stream\r\n\r\n`;
    // Sent, then dropped 0-9 ms later: during the access check, before or after the head.
    const abortOne = async (delayMs: number) => {
      const socket = connect(Number(port), hostname);
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      socket.write(request);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      socket.destroy();
    };
    for (let round = 0; round < 10; round += 1) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => abortOne(i % 10)));
    }
    await eventually('every aborted stream to be gone', 5000, () =>
      Promise.resolve(hub.streamsOf(session.id) === 0 && hub.streams === before ? true : undefined),
    );
    // The session is not locked out: a real client still gets its stream, and events.
    const s = await subscribe(base, session.id, { token: owner.token });
    assert.equal((await s.next()).event, 'ready');
    await rename(base, owner, session.id, 'After the aborts');
    assert.equal((await s.next(3000)).event, 'session.renamed');
  });

  it("ends a revoked device's stream with device_revoked; the owner's stream goes on", async () => {
    const { owner, session } = await ownerWithSession(base);
    const claim = await pairDevice(base, owner, session.id);
    const device = await subscribe(base, session.id, { token: claim.accessToken });
    const ownerStream = await subscribe(base, session.id, { token: owner.token });
    await device.next();
    await ownerStream.next();
    await revokeDevice(base, owner, session.id, claim.device.id);
    const revoked = await device.next(3000);
    assert.equal(revoked.event, 'device.revoked');
    const end = await device.next(3000);
    assert.deepEqual([end.event, dataOf(end)], ['end', { reason: 'device_revoked' }]);
    await device.ended;
    assert.equal((await ownerStream.next(3000)).event, 'device.revoked');
    await rename(base, owner, session.id, 'Still here');
    assert.equal((await ownerStream.next(3000)).event, 'session.renamed');
    // The revoked device cannot come back.
    await expectProblem(
      await requestStream(base, session.id, { token: claim.accessToken }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('ends every stream of a closed session with session_closed; a new one gets 410', async () => {
    const { owner, session } = await ownerWithSession(base);
    const claim = await pairDevice(base, owner, session.id);
    const streams = [
      await subscribe(base, session.id, { token: owner.token }),
      await subscribe(base, session.id, { token: claim.accessToken }),
    ];
    for (const s of streams) await s.next();
    await closeSession(base, owner, session.id);
    for (const s of streams) {
      assert.equal((await s.next(3000)).event, 'session.closed');
      const end = await s.next(3000);
      assert.deepEqual([end.event, dataOf(end)], ['end', { reason: 'session_closed' }]);
      await s.ended;
    }
    await expectProblem(
      await requestStream(base, session.id, { token: owner.token }),
      410,
      'SESSION_EXPIRED',
    );
  });

  it('ends the streams at expiresAt with session_expired, with no worker writing session.expired', async () => {
    const { owner, session } = await ownerWithSession(base, { ttlSeconds: 2 });
    const s = await subscribe(base, session.id, { token: owner.token });
    await s.next();
    const end = await s.next(5000);
    const late = end.at - Date.parse(session.expiresAt);
    assert.deepEqual([end.event, dataOf(end)], ['end', { reason: 'session_expired' }]);
    assert.ok(late >= 0 && late < 1000, `ended ${String(late)} ms after expiresAt`);
    await s.ended;
  });

  it('moves the expiry end when the session is extended', async () => {
    const { owner, session } = await ownerWithSession(base, { ttlSeconds: 2 });
    const s = await subscribe(base, session.id, { token: owner.token });
    await s.next();
    const res = await fetch(`${base}/v1/sessions/${session.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 4 }),
    });
    const extended = (await res.json()) as { expiresAt: string };
    assert.equal(res.status, 200);
    assert.equal((await s.next(3000)).event, 'session.extended');
    const end = await s.next(6000);
    assert.deepEqual(dataOf(end), { reason: 'session_expired' });
    const late = end.at - Date.parse(extended.expiresAt);
    assert.ok(late >= 0 && late < 1000, `ended ${String(late)} ms after the new expiresAt`);
  });

  it('caps the streams of a session (429 TOO_MANY_STREAMS, Retry-After, before any stream byte), and frees a place at once when a client goes away', async () => {
    const { owner, session } = await ownerWithSession(base);
    const before = hub.streams;
    const streams: SseStream[] = [];
    for (let i = 0; i < PER_SESSION; i += 1) {
      streams.push(await subscribe(base, session.id, { token: owner.token }));
    }
    assert.equal(hub.streamsOf(session.id), PER_SESSION);
    const refused = await requestStream(base, session.id, { token: owner.token });
    assert.equal(refused.headers.get('retry-after'), '10');
    await expectProblem(refused, 429, 'TOO_MANY_STREAMS');
    // Another session is not affected by this one's cap.
    const other = await ownerWithSession(base);
    const otherStream = await subscribe(base, other.session.id, { token: other.owner.token });
    await otherStream.next();
    for (const s of streams) s.close();
    otherStream.close();
    await eventually('the streams to be gone', 3000, () =>
      Promise.resolve(hub.streamsOf(session.id) === 0 && hub.streams === before ? true : undefined),
    );
    const again = await subscribe(base, session.id, { token: owner.token });
    assert.equal((await again.next()).event, 'ready');
    again.close();
    await eventually('the stream to be gone', 3000, () =>
      Promise.resolve(hub.streams === before ? true : undefined),
    );
  });
});

describe('live: the per-process cap', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { ...GENEROUS_LIMITS, SSE_MAX_STREAMS: '2' } });
  });
  after(async () => {
    await t?.close();
  });

  it('refuses a third stream of this process, whatever its session, with 429 and Retry-After', async () => {
    const a = await ownerWithSession(t.baseUrl);
    const b = await ownerWithSession(t.baseUrl);
    const s1 = await openStream(t.baseUrl, a.session.id, { token: a.owner.token });
    const s2 = await openStream(t.baseUrl, b.session.id, { token: b.owner.token });
    const refused = await requestStream(t.baseUrl, a.session.id, { token: a.owner.token });
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    await expectProblem(refused, 429, 'TOO_MANY_STREAMS');
    s1.close();
    const hub = t.app.get(LiveHub);
    await eventually('one stream left', 3000, () =>
      Promise.resolve(hub.streams === 1 ? true : undefined),
    );
    const s3 = await openStream(t.baseUrl, b.session.id, { token: b.owner.token });
    assert.equal((await s3.next()).event, 'ready');
    s2.close();
    s3.close();
    await eventually('no stream left', 3000, () =>
      Promise.resolve(hub.streams === 0 ? true : undefined),
    );
  });
});
