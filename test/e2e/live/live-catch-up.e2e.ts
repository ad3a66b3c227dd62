// A stream catching up on thousands of events (an old Last-Event-ID) must not delay the live
// events of any other session on the same process: the tail reads the live sessions from their
// head only, and the catch-up goes through its own bounded query. The catch-up itself still
// arrives complete, in order, nothing twice, and runs on into the live events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { eventually } from '../../support/eventually.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { currentSeq, GENEROUS_LIMITS, ownerWithSession, rename } from './live-fixtures.js';
import { openStream, type SseFrame, type SseStream } from './sse-client.js';

/** Events put straight into the `events` collection of the seeded session. */
const SEEDED = 4000;
const ROUNDS = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live: a stream catching up does not delay the others', () => {
  let t: TestApp;
  const open: SseStream[] = [];

  before(async () => {
    t = await startTestApp({ env: { ...GENEROUS_LIMITS } });
  });
  after(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  /** A session with SEEDED more events after its own, inserted with the driver (as many renames would). */
  const seededSession = async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const from = await currentSeq(t.baseUrl, owner, session.id);
    const db = t.app.get<Connection>(getConnectionToken());
    const docs = Array.from({ length: SEEDED }, (_, i) => ({
      sessionId: session.id,
      seq: from + 1 + i,
      type: 'session.renamed',
      at: new Date(),
      data: { name: `seeded ${String(i)}` },
    }));
    for (let i = 0; i < docs.length; i += 1000) {
      await db.collection('events').insertMany(docs.slice(i, i + 1000));
    }
    await db
      .collection<{ _id: string; seq: number }>('sessions')
      .updateOne({ _id: session.id }, { $set: { seq: from + SEEDED } });
    return { owner, session, last: from + SEEDED };
  };

  it('keeps another session live under a second while one stream reads 4000 old events, which arrive complete, in order, once', async (ctx) => {
    const big = await seededSession();
    const other = await ownerWithSession(t.baseUrl);
    const live = await openStream(t.baseUrl, other.session.id, { token: other.owner.token });
    open.push(live);
    assert.equal((await live.next()).event, 'ready');

    const catching = await openStream(t.baseUrl, big.session.id, {
      token: big.owner.token,
      after: '0',
    });
    open.push(catching);
    const latencies: number[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const sent = Date.now();
      await rename(t.baseUrl, other.owner, other.session.id, `live ${String(i)}`);
      const frame = await live.next(5000);
      assert.equal(frame.event, 'session.renamed');
      latencies.push(frame.at - sent);
      await sleep(150);
    }
    ctx.diagnostic(`live latencies while the other stream catches up: ${latencies.join(', ')} ms`);
    const receivedWhileLive = catching.frames.length;
    ctx.diagnostic(`catch-up frames received meanwhile: ${String(receivedWhileLive)}`);
    assert.ok(Math.max(...latencies) < 1000, `live latencies ${latencies.join(', ')} ms`);

    // The catch-up then runs on into a live event of its own session.
    await rename(t.baseUrl, big.owner, big.session.id, 'after the catch-up');
    const total = big.last + 1;
    await eventually('the catch-up to complete', 30_000, () =>
      Promise.resolve(catching.frames.length >= total + 1 ? true : undefined),
    );
    await sleep(300);
    const events: SseFrame[] = catching.frames.slice(1);
    assert.equal(catching.frames[0]?.event, 'ready');
    assert.deepEqual(
      events.map((f) => Number(f.id)),
      Array.from({ length: total }, (_, i) => i + 1),
      'every event once, in seq order',
    );
    assert.equal(events.at(-1)?.event, 'session.renamed');
    assert.match(events.at(-1)?.data ?? '', /after the catch-up/);
  });
});
