import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { AppError } from '@app/common';
import type { AppConfig } from '@app/config';
import { EventTail, type EventCursor, type EventRecord } from '@app/database';
import { GAP_FLUSH_MS, LiveHub, TICK_LIMIT, type StreamSink } from './live-hub.js';
import { LiveMetrics } from './live-metrics.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const HOUR = 3_600_000;

/** The events collection as the tail sees it: whatever the spec put there, nothing more. */
class FakeTail extends EventTail {
  readonly events: EventRecord[] = [];
  readonly reads: EventCursor[][] = [];
  readonly flushes: string[] = [];

  add(sessionId: string, seq: number, type = 'session.renamed', data: EventRecord['data'] = {}) {
    this.events.push({ sessionId, seq, type, at: new Date(T0), data });
  }

  read(cursors: readonly EventCursor[], limit: number): Promise<EventRecord[]> {
    this.reads.push([...cursors]);
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
      pollIntervalMs: 5000,
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

  it('reads all sessions in one query from each one’s lowest cursor, and gives each subscriber the events after its own', async () => {
    for (let seq = 1; seq <= 5; seq += 1) tail.add('s1', seq);
    tail.add('s2', 1);
    tail.add('s2', 2);
    const early = subscribe('s1', 1, { sessionSeq: 5 });
    const late = subscribe('s1', 4, { sessionSeq: 5 });
    const other = subscribe('s2', 0, { sessionSeq: 2 });
    await hub.tick();
    assert.deepEqual(tail.reads, [
      [
        { sessionId: 's1', after: 1 },
        { sessionId: 's2', after: 0 },
      ],
    ]);
    assert.deepEqual(early.sink.ids, [2, 3, 4, 5]);
    assert.deepEqual(late.sink.ids, [5]);
    assert.deepEqual(other.sink.ids, [1, 2]);
    // Nothing new: nothing more is sent, and the next read starts past what was delivered.
    await hub.tick();
    assert.deepEqual(early.sink.ids, [2, 3, 4, 5]);
    assert.deepEqual(tail.reads[1], [
      { sessionId: 's1', after: 5 },
      { sessionId: 's2', after: 2 },
    ]);
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

  it('does not take the sessions a full read did not reach for a gap, and starts the next read where it stopped', async () => {
    for (let seq = 1; seq <= TICK_LIMIT + 10; seq += 1) tail.add('a', seq);
    tail.add('b', 1);
    const a = subscribe('a', 0, { sessionSeq: TICK_LIMIT + 10 });
    const b = subscribe('b', 0, { sessionSeq: 1 });
    await hub.tick();
    assert.equal(a.sink.ids.length, TICK_LIMIT);
    assert.deepEqual(b.sink.ids, []);
    mock.timers.tick(GAP_FLUSH_MS);
    await hub.tick();
    assert.deepEqual(tail.flushes, []);
    assert.equal(a.sink.ids.length, TICK_LIMIT + 10);
    assert.deepEqual(b.sink.ids, [1]);
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
