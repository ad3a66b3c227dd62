import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Logger } from '@nestjs/common';
import { AppError } from '@app/common';
import type { AppConfig } from '@app/config';
import { EventTail, type EventCursor, type EventRecord } from '@app/database';
import {
  EXPIRY_GRACE_MS,
  GAP_FLUSH_MS,
  LiveHub,
  TAIL_DEADLINE_MS,
  TICK_LIMIT,
  type StreamSink,
} from './live-hub.js';
import { LiveMetrics } from './live-metrics.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const HOUR = 3_600_000;

/** The events collection as the tail sees it: whatever the spec put there, nothing more. */
class FakeTail extends EventTail {
  readonly events: EventRecord[] = [];
  readonly reads: EventCursor[][] = [];
  readonly flushes: string[] = [];
  /** 'fail': every read rejects (MongoDB down); 'hang': no read ever answers. */
  mode: 'ok' | 'fail' | 'hang' = 'ok';

  add(sessionId: string, seq: number, type = 'session.renamed', data: EventRecord['data'] = {}) {
    this.events.push({ sessionId, seq, type, at: new Date(T0), data });
  }

  read(cursors: readonly EventCursor[], limit: number): Promise<EventRecord[]> {
    this.reads.push([...cursors]);
    if (this.mode === 'fail') return Promise.reject(new Error('connection refused'));
    if (this.mode === 'hang') return new Promise(() => undefined);
    const found = this.events
      .filter((e) => cursors.some((c) => c.sessionId === e.sessionId && e.seq > c.after))
      .sort((a, b) =>
        a.sessionId === b.sessionId ? a.seq - b.seq : a.sessionId < b.sessionId ? -1 : 1,
      );
    return Promise.resolve(found.slice(0, limit));
  }

  flushPending(sessionId: string): Promise<void> {
    this.flushes.push(sessionId);
    return Promise.resolve();
  }
}

/** What a client receives: the frames, and whether (and how) the stream ended. */
class FakeSink implements StreamSink {
  readonly chunks: string[] = [];
  ended: string | null | undefined = undefined;

  write(chunk: string): void {
    this.chunks.push(chunk);
  }

  end(lastFrame?: string): void {
    this.ended = lastFrame ?? null;
  }

  get ids(): number[] {
    return this.chunks.flatMap((c) => {
      const id = /^id: (\d+)\n/.exec(c)?.[1];
      return id === undefined ? [] : [Number(id)];
    });
  }

  get endReason(): string | undefined {
    if (typeof this.ended !== 'string') return undefined;
    return (JSON.parse(this.ended.split('data: ')[1] ?? '{}') as { reason: string }).reason;
  }
}

const config = (live: Partial<AppConfig['live']> = {}): AppConfig =>
  ({
    live: {
      // Far off: the specs run the ticks themselves, unless they set a short interval.
      pollIntervalMs: 600_000,
      heartbeatSeconds: 15,
      maxStreams: 100,
      maxStreamsPerSession: 10,
      ...live,
    },
  }) as AppConfig;

describe('LiveHub', () => {
  let tail: FakeTail;
  let hub: LiveHub;

  beforeEach(() => {
    mock.timers.enable({ apis: ['Date', 'setTimeout', 'setInterval'], now: T0 });
    tail = new FakeTail();
    hub = new LiveHub(tail, config(), new LiveMetrics());
  });
  afterEach(() => {
    hub.onModuleDestroy();
    mock.timers.reset();
  });

  const subscribe = (
    sessionId: string,
    after: number,
    options: { sessionSeq?: number; deviceId?: string; expiresAt?: number } = {},
  ) => {
    const sink = new FakeSink();
    const unsubscribe = hub.subscribe({
      sessionId,
      deviceId: options.deviceId ?? null,
      after,
      sessionSeq: options.sessionSeq ?? after,
      expiresAt: new Date(options.expiresAt ?? T0 + HOUR),
      sink,
    });
    return { sink, unsubscribe };
  };

  it('reads the live sessions from their heads in one query, the subscribers behind in one catch-up query, and gives each the events after its own cursor', async () => {
    for (let seq = 1; seq <= 5; seq += 1) tail.add('s1', seq);
    tail.add('s2', 1);
    tail.add('s2', 2);
    const early = subscribe('s1', 1, { sessionSeq: 5 });
    const late = subscribe('s1', 4, { sessionSeq: 5 });
    const current = subscribe('s1', 5, { sessionSeq: 5 });
    const other = subscribe('s2', 0, { sessionSeq: 2 });
    await hub.tick();
    assert.deepEqual(tail.reads, [
      // Live: only what comes after the seq each session had at subscribe.
      [
        { sessionId: 's1', after: 5 },
        { sessionId: 's2', after: 2 },
      ],
      // Catch-up: per session the lowest cursor behind the head.
      [
        { sessionId: 's1', after: 1 },
        { sessionId: 's2', after: 0 },
      ],
    ]);
    assert.deepEqual(early.sink.ids, [2, 3, 4, 5]);
    assert.deepEqual(late.sink.ids, [5]);
    assert.deepEqual(current.sink.ids, []);
    assert.deepEqual(other.sink.ids, [1, 2]);
    // Nobody behind any more: one live query, from past what was delivered.
    tail.add('s1', 6);
    await hub.tick();
    assert.deepEqual(tail.reads.slice(2), [
      [
        { sessionId: 's1', after: 5 },
        { sessionId: 's2', after: 2 },
      ],
    ]);
    for (const stream of [early, late, current]) assert.deepEqual(stream.sink.ids.at(-1), 6);
    await hub.tick();
    assert.deepEqual(tail.reads.at(-1), [
      { sessionId: 's1', after: 6 },
      { sessionId: 's2', after: 2 },
    ]);
    assert.deepEqual(early.sink.ids, [2, 3, 4, 5, 6], 'nothing twice');
  });

  it('holds a session at a gap, never skipping the missing event nor repeating one', async () => {
    tail.add('s', 1);
    tail.add('s', 2);
    tail.add('s', 4);
    const { sink } = subscribe('s', 0, { sessionSeq: 2 });
    await hub.tick();
    assert.deepEqual(sink.ids, [1, 2]);
    tail.add('s', 3);
    await hub.tick();
    assert.deepEqual(sink.ids, [1, 2, 3, 4]);
    assert.deepEqual(tail.flushes, [], 'a gap filled within a tick needs no flush');
  });

  it('flushes the outbox of a session held at a gap after about a second, and once a second while it stays', async () => {
    tail.add('s', 1);
    tail.add('s', 3);
    const { sink } = subscribe('s', 0, { sessionSeq: 3 });
    await hub.tick();
    mock.timers.tick(GAP_FLUSH_MS - 100);
    await hub.tick();
    assert.deepEqual(tail.flushes, []);
    mock.timers.tick(200);
    await hub.tick();
    assert.deepEqual(tail.flushes, ['s']);
    mock.timers.tick(300);
    await hub.tick();
    assert.deepEqual(tail.flushes, ['s'], 'not again before another second');
    mock.timers.tick(GAP_FLUSH_MS);
    await hub.tick();
    assert.deepEqual(tail.flushes, ['s', 's']);
    assert.deepEqual(sink.ids, [1]);
    tail.add('s', 2);
    await hub.tick();
    assert.deepEqual(sink.ids, [1, 2, 3]);
  });

  it('takes a resume cursor below the session’s seq at connect as a gap when those events are not there yet', async () => {
    // Events 3..5 exist by the session's seq, none is copied yet: no later event shows it.
    tail.add('s', 1);
    tail.add('s', 2);
    const { sink } = subscribe('s', 2, { sessionSeq: 5 });
    await hub.tick();
    mock.timers.tick(GAP_FLUSH_MS);
    await hub.tick();
    assert.deepEqual(tail.flushes, ['s']);
    assert.deepEqual(sink.ids, []);
  });

  it('keeps another session live while one catches up on several ticks of events, which arrive complete, in order, once', async () => {
    const backlog = TICK_LIMIT * 3;
    for (let seq = 1; seq <= backlog; seq += 1) tail.add('a', seq);
    tail.add('b', 1);
    // 'a' sorts first: a read shared by both would spend its limit on 'a' before reaching 'b'.
    const a = subscribe('a', 0, { sessionSeq: backlog });
    const b = subscribe('b', 1, { sessionSeq: 1 });
    for (let round = 1; round <= 5; round += 1) {
      tail.add('b', 1 + round);
      tail.add('a', backlog + round);
      const before = tail.reads.length;
      await hub.tick();
      assert.ok(tail.reads.length - before <= 2, 'one live and at most one catch-up query');
      assert.equal(
        b.sink.ids.at(-1),
        1 + round,
        `b's new event in the tick it appeared (${String(round)})`,
      );
    }
    assert.deepEqual(
      a.sink.ids,
      Array.from({ length: backlog + 5 }, (_, i) => i + 1),
    );
    assert.deepEqual(b.sink.ids, [2, 3, 4, 5, 6]);
    assert.deepEqual(tail.flushes, [], 'catching up is no gap');
  });

  it('shares the catch-up query round-robin between the sessions behind, and takes none that it did not finish for a gap', async () => {
    for (let seq = 1; seq <= 700; seq += 1) {
      tail.add('a', seq);
      tail.add('c', seq);
    }
    const a = subscribe('a', 0, { sessionSeq: 700 });
    const c = subscribe('c', 0, { sessionSeq: 700 });
    await hub.tick();
    assert.deepEqual([a.sink.ids.length, c.sink.ids.length], [TICK_LIMIT, 0]);
    mock.timers.tick(GAP_FLUSH_MS);
    // The next catch-up goes on after the session the last one stopped in.
    await hub.tick();
    assert.deepEqual(tail.reads.at(-1), [{ sessionId: 'c', after: 0 }]);
    assert.deepEqual([a.sink.ids.length, c.sink.ids.length], [TICK_LIMIT, TICK_LIMIT]);
    mock.timers.tick(GAP_FLUSH_MS);
    await hub.tick();
    assert.deepEqual(tail.reads.at(-1), [
      { sessionId: 'a', after: TICK_LIMIT },
      { sessionId: 'c', after: TICK_LIMIT },
    ]);
    const all = Array.from({ length: 700 }, (_, i) => i + 1);
    assert.deepEqual(a.sink.ids, all);
    assert.deepEqual(c.sink.ids, all);
    assert.deepEqual(tail.flushes, [], 'a session the catch-up did not finish is no gap');
    await hub.tick();
    assert.equal(tail.reads.at(-1)?.length, 2, 'caught up: the live query only');
    assert.deepEqual(tail.reads.at(-2)?.length, 2);
  });

  it('holds and flushes a session whose catch-up was read in full and still misses an event', async () => {
    tail.add('s', 1);
    tail.add('s', 2);
    // 3..5 exist by the session's seq; the catch-up reads all there is and stops at 2.
    const { sink } = subscribe('s', 0, { sessionSeq: 5 });
    await hub.tick();
    mock.timers.tick(GAP_FLUSH_MS);
    await hub.tick();
    assert.deepEqual(tail.flushes, ['s']);
    assert.deepEqual(sink.ids, [1, 2]);
    for (let seq = 3; seq <= 5; seq += 1) tail.add('s', seq);
    await hub.tick();
    assert.deepEqual(sink.ids, [1, 2, 3, 4, 5]);
  });

  it('ends a stream still catching up at expiresAt only once it has every event', async () => {
    const backlog = TICK_LIMIT * 2 + 200;
    for (let seq = 1; seq <= backlog; seq += 1) tail.add('s', seq);
    const { sink } = subscribe('s', 0, { sessionSeq: backlog, expiresAt: T0 + 1000 });
    await hub.tick();
    mock.timers.tick(1000);
    await hub.tick();
    assert.equal(sink.ended, undefined, 'not before its last events');
    assert.equal(sink.ids.length, TICK_LIMIT * 2);
    await hub.tick();
    assert.deepEqual(
      sink.ids,
      Array.from({ length: backlog }, (_, i) => i + 1),
    );
    assert.equal(sink.endReason, 'session_expired');
  });

  it('does not end an expired session the live query did not reach, and ends one held back past the grace anyway', async () => {
    const busy = subscribe('a', 0);
    const expiring = subscribe('b', 0, { expiresAt: T0 + 1000 });
    for (let seq = 1; seq <= TICK_LIMIT + 10; seq += 1) tail.add('a', seq);
    tail.add('b', 1);
    mock.timers.tick(1000);
    await hub.tick();
    assert.equal(busy.sink.ids.length, TICK_LIMIT);
    assert.equal(expiring.sink.ended, undefined, 'b was not read: its last event may be there');
    await hub.tick();
    assert.deepEqual(expiring.sink.ids, [1]);
    assert.equal(expiring.sink.endReason, 'session_expired');
    // Held at a gap (2 committed, not copied yet): waits for it, then ends.
    const held = subscribe('c', 1, { sessionSeq: 1, expiresAt: T0 + 2000 });
    tail.add('c', 1);
    tail.add('c', 3);
    mock.timers.tick(1000);
    await hub.tick();
    assert.equal(held.sink.ended, undefined, 'held at a gap: waits for event 2');
    tail.add('c', 2);
    await hub.tick();
    assert.deepEqual(held.sink.ids, [2, 3]);
    assert.equal(held.sink.endReason, 'session_expired');
    // One that never gets its missing event ends EXPIRY_GRACE_MS after expiresAt.
    const lagging = subscribe('d', 0, { sessionSeq: 3, expiresAt: T0 + 2000 });
    tail.add('d', 1);
    tail.add('d', 3);
    await hub.tick();
    assert.equal(lagging.sink.ended, undefined, 'behind its head: waits for event 2');
    mock.timers.tick(EXPIRY_GRACE_MS);
    await hub.tick();
    assert.deepEqual(lagging.sink.ids, [1]);
    assert.equal(lagging.sink.endReason, 'session_expired');
  });

  it('ends a device’s stream on its own revocation or rejection only; the owner’s goes on', async () => {
    const owner = subscribe('s', 0);
    const phone = subscribe('s', 0, { deviceId: 'phone' });
    const tablet = subscribe('s', 0, { deviceId: 'tablet' });
    tail.add('s', 1, 'device.revoked', { deviceId: 'tablet' });
    await hub.tick();
    assert.equal(tablet.sink.endReason, 'device_revoked');
    assert.equal(phone.sink.ended, undefined);
    tail.add('s', 2, 'device.rejected', { deviceId: 'phone' });
    tail.add('s', 3);
    await hub.tick();
    assert.equal(phone.sink.endReason, 'device_rejected');
    assert.deepEqual(phone.sink.ids, [1, 2], 'nothing after its end');
    assert.deepEqual(owner.sink.ids, [1, 2, 3]);
    assert.equal(owner.sink.ended, undefined);
    assert.equal(hub.streams, 1);
  });

  it('ends every stream of the session on session.closed and session.expired', async () => {
    const a = subscribe('s', 0);
    const b = subscribe('s', 0, { deviceId: 'phone' });
    const c = subscribe('t', 0);
    tail.add('s', 1, 'session.closed');
    tail.add('t', 1, 'session.expired');
    await hub.tick();
    assert.deepEqual(
      [a.sink.endReason, b.sink.endReason, c.sink.endReason],
      ['session_closed', 'session_closed', 'session_expired'],
    );
    assert.equal(hub.streams, 0);
  });

  it('ends the streams at expiresAt without any event, later when session.extended moved it', async () => {
    const a = subscribe('s', 0, { expiresAt: T0 + 1000 });
    const b = subscribe('t', 0, { expiresAt: T0 + 1000 });
    tail.add('t', 1, 'session.extended', { expiresAt: new Date(T0 + 5000).toISOString() });
    await hub.tick();
    mock.timers.tick(1000);
    await hub.tick();
    assert.equal(a.sink.endReason, 'session_expired');
    assert.equal(b.sink.ended, undefined);
    mock.timers.tick(4000);
    await hub.tick();
    assert.equal(b.sink.endReason, 'session_expired');
  });

  /** Lets the hub's own tick chain run for `ms` of mocked time. */
  const run = async (ms: number) => {
    for (let elapsed = 0; elapsed < ms; elapsed += 50) {
      mock.timers.tick(50);
      for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    }
  };

  it('logs a failing tail once, then at most every 15 s with the count, backs its ticks off up to 5 s, and is back to normal on success', async () => {
    hub = new LiveHub(tail, config({ pollIntervalMs: 250 }), new LiveMetrics());
    const warn = mock.method(Logger.prototype, 'warn', () => undefined);
    const log = mock.method(Logger.prototype, 'log', () => undefined);
    tail.mode = 'fail';
    const { sink } = subscribe('s', 0);
    await run(10_000);
    // Every tick would be 40 queries; 0.25 s, then 0.5, 1, 2, 4, 5 s apart.
    assert.ok(
      tail.reads.length >= 4 && tail.reads.length <= 6,
      `${String(tail.reads.length)} reads`,
    );
    assert.equal(warn.mock.callCount(), 1, 'the first failure only');
    await run(10_000);
    assert.equal(warn.mock.callCount(), 2);
    assert.match(String(warn.mock.calls[1]?.arguments[0]), /still failing: \d+ failures/);
    tail.mode = 'ok';
    tail.add('s', 1);
    await run(5000);
    assert.deepEqual(sink.ids, [1], 'it recovers');
    assert.ok(
      log.mock.calls.some((c) => /recovered after \d+ failures/.test(String(c.arguments[0]))),
    );
    const before = tail.reads.length;
    await run(1000);
    assert.ok(tail.reads.length - before >= 3, 'the normal interval again');
    assert.equal(warn.mock.callCount(), 2);
  });

  it('gives up on a tail query that never answers, so the ticks go on', async () => {
    hub = new LiveHub(tail, config({ pollIntervalMs: 250 }), new LiveMetrics());
    mock.method(Logger.prototype, 'warn', () => undefined);
    tail.mode = 'hang';
    subscribe('s', 0);
    await run(TAIL_DEADLINE_MS * 3);
    assert.ok(tail.reads.length >= 2, `${String(tail.reads.length)} reads`);
    tail.mode = 'ok';
    tail.add('s', 1);
    const { sink } = subscribe('s', 0);
    await run(6000);
    assert.deepEqual(sink.ids, [1]);
  });

  it('drops only the stream whose writing throws; the others and the tick chain go on', async () => {
    hub = new LiveHub(tail, config({ pollIntervalMs: 250 }), new LiveMetrics());
    mock.method(Logger.prototype, 'warn', () => undefined);
    const broken = subscribe('s', 0);
    broken.sink.write = () => {
      throw new Error('EPIPE');
    };
    const fine = subscribe('s', 0);
    const other = subscribe('t', 0);
    tail.add('s', 1);
    tail.add('t', 1);
    await run(500);
    assert.deepEqual(fine.sink.ids, [1]);
    assert.deepEqual(other.sink.ids, [1]);
    assert.equal(hub.streams, 2);
    assert.equal(broken.sink.ended, null, 'ended without a frame');
    tail.add('s', 2);
    await run(500);
    assert.deepEqual(fine.sink.ids, [1, 2]);
  });

  it('refuses a stream beyond the per-session or per-process cap with 429 TOO_MANY_STREAMS and Retry-After', () => {
    hub = new LiveHub(tail, config({ maxStreams: 3, maxStreamsPerSession: 2 }), new LiveMetrics());
    subscribe('s', 0);
    const second = subscribe('s', 0);
    const refused = (fn: () => void) =>
      assert.throws(
        fn,
        (e: unknown) =>
          e instanceof AppError &&
          e.code === 'TOO_MANY_STREAMS' &&
          e.status === 429 &&
          (e.retryAfterSeconds ?? 0) >= 1,
      );
    refused(() => hub.assertRoom('s'));
    subscribe('t', 0);
    refused(() => hub.assertRoom('u'));
    second.unsubscribe();
    assert.equal(hub.streamsOf('s'), 1);
    hub.assertRoom('s');
    hub.assertRoom('u');
  });

  it('removes a subscriber that goes away at once, ending its response without a frame', () => {
    const { sink, unsubscribe } = subscribe('s', 0);
    unsubscribe();
    unsubscribe();
    assert.equal(sink.ended, null);
    assert.equal(hub.streams, 0);
    assert.equal(hub.streamsOf('s'), 0);
  });

  it('beats every heartbeatSeconds on every stream', () => {
    const a = subscribe('s', 0);
    const b = subscribe('t', 0);
    mock.timers.tick(15_000 * 2);
    assert.deepEqual(a.sink.chunks, [': heartbeat\n\n', ': heartbeat\n\n']);
    assert.deepEqual(b.sink.chunks, [': heartbeat\n\n', ': heartbeat\n\n']);
  });

  it('ends every stream with shutdown and refuses new ones (503) once the app closes', () => {
    const a = subscribe('s', 0);
    const b = subscribe('t', 0, { deviceId: 'phone' });
    hub.onModuleDestroy();
    assert.deepEqual([a.sink.endReason, b.sink.endReason], ['shutdown', 'shutdown']);
    assert.equal(hub.streams, 0);
    assert.throws(
      () => hub.assertRoom('s'),
      (e: unknown) => e instanceof AppError && e.code === 'SERVICE_UNAVAILABLE',
    );
  });
});
