import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EventTail, type EventCursor, type EventRecord } from '@app/database';
import { LiveMetrics } from './live-metrics.js';
import { endOf, eventFrame, HEARTBEAT_FRAME, endFrame, type EndReason } from './sse-frames.js';

/** Events one tail query reads at most, for all sessions together. */
export const TICK_LIMIT = 500;
/** A gap (an event committed but not copied yet) held this long is filled with a flush. */
export const GAP_FLUSH_MS = 1000;
/** A gap held this long is logged (again every as long): the database is in trouble. */
const GAP_WARN_MS = 10_000;
/** Retry-After of a 429 TOO_MANY_STREAMS. */
export const STREAMS_RETRY_AFTER_SECONDS = 10;

/** Where the hub writes a stream's frames; the HTTP layer implements it on the raw reply. */
export interface StreamSink {
  write(chunk: string): void;
  /** Ends the response after `lastFrame` (none: the connection is already gone). */
  end(lastFrame?: string): void;
}

export interface Subscription {
  sessionId: string;
  /** The device of a device token; null for the owner. */
  deviceId: string | null;
  /** The stream has every event up to this seq. */
  after: number;
  /** The session as read at connect: its latest seq (events up to it exist) and expiry. */
  sessionSeq: number;
  expiresAt: Date;
  sink: StreamSink;
}

interface Subscriber {
  readonly sessionId: string;
  readonly deviceId: string | null;
  cursor: number;
  readonly sink: StreamSink;
}

interface SessionStreams {
  readonly subscribers: Set<Subscriber>;
  /** Highest seq known to exist: below it, a missing event is a gap, not the future. */
  knownSeq: number;
  expiresAt: number;
  /** Seq of the record or event that set `expiresAt` (a newer one wins). */
  expiresAtSeq: number;
  /** Since when delivery waits for a missing event (null: nothing missing). */
  gapSince: number | null;
  lastFlushAt: number;
  lastWarnAt: number;
}

/**
 * The process-wide hub of event streams. Per session, its subscribers with their own cursors.
 * Every SSE_POLL_INTERVAL_MS while any stream is open, ONE tail query reads the events after
 * the lowest cursor of every subscribed session, and each subscriber gets the contiguous events
 * after its cursor: never a gap, never a duplicate. A new subscriber with an old cursor catches
 * up through the same query. A session whose events show a gap is held (its subscribers get
 * nothing past it) and, after GAP_FLUSH_MS, its outbox is flushed (again each GAP_FLUSH_MS while
 * the gap stays). Streams end on the session's close or expiry (the event, or its expiresAt
 * passing), on their device's revocation or rejection, and at shutdown.
 */
@Injectable()
export class LiveHub implements OnModuleDestroy {
  private readonly logger = new Logger(LiveHub.name);
  private readonly sessions = new Map<string, SessionStreams>();
  private count = 0;
  private closing = false;
  private tickTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** A chain of ticks is scheduled or running (at most one). */
  private looping = false;
  private ticking = false;
  /** After a full tick: the next one starts at this session (round-robin, no starvation). */
  private resumeFrom: string | null = null;
  // Read at each call (not captured), so specs can mock Date.
  private readonly now = (): number => Date.now();

  constructor(
    private readonly tail: EventTail,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: LiveMetrics,
  ) {}

  /** Open streams of this process (all sessions). */
  get streams(): number {
    return this.count;
  }

  /** Open streams of one session in this process. */
  streamsOf(sessionId: string): number {
    return this.sessions.get(sessionId)?.subscribers.size ?? 0;
  }

  /**
   * Refuses a new stream of `sessionId` (429 TOO_MANY_STREAMS at a cap, 503 while shutting
   * down), to be called right before `subscribe` with no await in between.
   */
  assertRoom(sessionId: string): void {
    if (this.closing) {
      throw new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; reconnect', {
        retryAfterSeconds: 1,
      });
    }
    if (this.count >= this.config.live.maxStreams) {
      this.metrics.streamRefused('process');
      throw tooManyStreams('This server holds its maximum of event streams');
    }
    if (this.streamsOf(sessionId) >= this.config.live.maxStreamsPerSession) {
      this.metrics.streamRefused('session');
      throw tooManyStreams('This session has its maximum of event streams on this server');
    }
  }

  /**
   * Adds a stream (after `assertRoom`, which it repeats). Synchronous, so the caps hold exactly.
   * Returns the unsubscribe function, for a client that goes away.
   */
  subscribe(input: Subscription): () => void {
    this.assertRoom(input.sessionId);
    let streams = this.sessions.get(input.sessionId);
    if (streams === undefined) {
      streams = {
        subscribers: new Set(),
        knownSeq: input.sessionSeq,
        expiresAt: input.expiresAt.getTime(),
        expiresAtSeq: input.sessionSeq,
        gapSince: null,
        lastFlushAt: 0,
        lastWarnAt: 0,
      };
      this.sessions.set(input.sessionId, streams);
    } else {
      streams.knownSeq = Math.max(streams.knownSeq, input.sessionSeq);
      if (input.sessionSeq >= streams.expiresAtSeq) {
        streams.expiresAt = input.expiresAt.getTime();
        streams.expiresAtSeq = input.sessionSeq;
      }
    }
    const subscriber: Subscriber = {
      sessionId: input.sessionId,
      deviceId: input.deviceId,
      cursor: input.after,
      sink: input.sink,
    };
    streams.subscribers.add(subscriber);
    this.count += 1;
    this.metrics.streamOpened();
    this.start();
    return () => {
      this.remove(subscriber, 'disconnected');
    };
  }

  /** One tick: the tail query and the deliveries. Public for the specs. */
  async tick(): Promise<void> {
    if (this.ticking || this.sessions.size === 0) return;
    this.ticking = true;
    try {
      await this.readAndDeliver();
    } finally {
      this.ticking = false;
    }
  }

  /** Ends every stream with `shutdown`, promptly, so the HTTP server can close. */
  onModuleDestroy(): void {
    this.closing = true;
    this.stop();
    for (const streams of [...this.sessions.values()]) {
      for (const subscriber of [...streams.subscribers]) this.end(subscriber, 'shutdown');
    }
  }

  private async readAndDeliver(): Promise<void> {
    const started = this.now();
    const cursors = this.cursors();
    let events: EventRecord[];
    try {
      events = await this.tail.read(cursors, TICK_LIMIT);
      this.metrics.tailQuery((this.now() - started) / 1000, 'ok');
    } catch (error) {
      this.metrics.tailQuery((this.now() - started) / 1000, 'error');
      this.logger.warn(`live tail query failed, retried next tick: ${messageOf(error)}`);
      return;
    }
    const full = events.length >= TICK_LIMIT;
    const last = events.at(-1)?.sessionId;
    this.resumeFrom = full && last !== undefined ? last : null;
    const bySession = new Map<string, EventRecord[]>();
    for (const event of events) {
      const list = bySession.get(event.sessionId);
      if (list === undefined) bySession.set(event.sessionId, [event]);
      else list.push(event);
    }
    for (const cursor of cursors) {
      const streams = this.sessions.get(cursor.sessionId);
      if (streams === undefined) continue;
      // A full answer stops somewhere in the last session it reached: the ones after it are
      // not read at all, so a missing event there is no sign of a gap.
      const fullyRead = !full || (last !== undefined && cursor.sessionId < last);
      this.deliver(cursor.sessionId, streams, bySession.get(cursor.sessionId) ?? [], fullyRead);
    }
    // Expired at the time the query started: everything committed before is in its answer.
    for (const [sessionId, streams] of [...this.sessions]) {
      if (streams.expiresAt <= started) {
        for (const subscriber of [...streams.subscribers]) this.end(subscriber, 'session_expired');
        this.sessions.delete(sessionId);
      }
    }
  }

  /** The tail query's cursors: per session the lowest cursor of its subscribers. */
  private cursors(): EventCursor[] {
    const all = [...this.sessions.entries()]
      .map(([sessionId, streams]) => ({
        sessionId,
        after: Math.min(...[...streams.subscribers].map((s) => s.cursor)),
      }))
      .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
    const from = this.resumeFrom;
    if (from === null) return all;
    const rest = all.filter((c) => c.sessionId >= from);
    return rest.length > 0 ? rest : all;
  }

  private deliver(
    sessionId: string,
    streams: SessionStreams,
    events: readonly EventRecord[],
    fullyRead: boolean,
  ): void {
    for (const event of events) {
      streams.knownSeq = Math.max(streams.knownSeq, event.seq);
      if (event.type === 'session.extended' && event.seq > streams.expiresAtSeq) {
        const expiresAt = Date.parse(String(event.data.expiresAt));
        if (Number.isFinite(expiresAt)) {
          streams.expiresAt = expiresAt;
          streams.expiresAtSeq = event.seq;
        }
      }
    }
    let held = false;
    for (const subscriber of [...streams.subscribers]) {
      let ended = false;
      for (const event of events) {
        if (event.seq <= subscriber.cursor) continue;
        if (event.seq !== subscriber.cursor + 1) break;
        subscriber.sink.write(eventFrame(event));
        subscriber.cursor = event.seq;
        this.metrics.eventSent();
        const reason = endOf(event, subscriber.deviceId);
        if (reason !== null) {
          this.end(subscriber, reason);
          ended = true;
          break;
        }
      }
      if (ended) continue;
      // Waiting for an event that exists (a later one was read, or the session's seq says so).
      const sawLater = events.some((e) => e.seq > subscriber.cursor + 1);
      if (sawLater || (fullyRead && subscriber.cursor < streams.knownSeq)) held = true;
    }
    this.holdOrRelease(sessionId, streams, held);
  }

  private holdOrRelease(sessionId: string, streams: SessionStreams, held: boolean): void {
    if (!held) {
      streams.gapSince = null;
      return;
    }
    const now = this.now();
    streams.gapSince ??= now;
    const waited = now - streams.gapSince;
    if (waited >= GAP_FLUSH_MS && now - streams.lastFlushAt >= GAP_FLUSH_MS) {
      streams.lastFlushAt = now;
      this.tail.flushPending(sessionId).catch((error: unknown) => {
        this.logger.warn(`outbox flush of session ${sessionId} failed: ${messageOf(error)}`);
      });
    }
    if (waited >= GAP_WARN_MS && now - streams.lastWarnAt >= GAP_WARN_MS) {
      streams.lastWarnAt = now;
      this.logger.warn(
        `event streams of session ${sessionId} wait for event ${String(
          Math.min(...[...streams.subscribers].map((s) => s.cursor)) + 1,
        )} since ${String(Math.round(waited / 1000))} s (not copied from its outbox yet)`,
      );
    }
  }

  private end(subscriber: Subscriber, reason: EndReason): void {
    if (!this.detach(subscriber)) return;
    this.metrics.streamEnded(reason);
    try {
      subscriber.sink.end(endFrame(reason));
    } catch (error) {
      this.logger.debug(`stream end not written: ${messageOf(error)}`);
    }
  }

  private remove(subscriber: Subscriber, reason: 'disconnected'): void {
    if (!this.detach(subscriber)) return;
    this.metrics.streamEnded(reason);
    subscriber.sink.end();
  }

  /** Takes the subscriber out; false when it was out already. */
  private detach(subscriber: Subscriber): boolean {
    const streams = this.sessions.get(subscriber.sessionId);
    if (streams?.subscribers.delete(subscriber) !== true) return false;
    if (streams.subscribers.size === 0) this.sessions.delete(subscriber.sessionId);
    this.count -= 1;
    if (this.count === 0) this.stopHeartbeat();
    return true;
  }

  private start(): void {
    if (!this.looping) {
      this.looping = true;
      this.scheduleTick(this.config.live.pollIntervalMs);
    }
    if (this.heartbeatTimer === null) {
      this.heartbeatTimer = setInterval(() => {
        this.heartbeat();
      }, this.config.live.heartbeatSeconds * 1000);
      this.heartbeatTimer.unref();
    }
  }

  // The tick chain stops by itself once no stream is open (see scheduleTick).
  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private stop(): void {
    if (this.tickTimer !== null) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    this.looping = false;
    this.stopHeartbeat();
  }

  // A chain of timeouts, not an interval: a slow query never overlaps the next one. The first
  // tick of a chain comes one interval after the first subscriber (whose catch-up it reads).
  private scheduleTick(delayMs: number): void {
    this.tickTimer = setTimeout(() => {
      this.tickTimer = null;
      const started = this.now();
      void this.tick().finally(() => {
        if (this.count === 0 || this.closing) {
          this.looping = false;
          return;
        }
        const interval = this.config.live.pollIntervalMs;
        this.scheduleTick(Math.max(0, interval - (this.now() - started)));
      });
    }, delayMs);
    this.tickTimer.unref();
  }

  private heartbeat(): void {
    for (const streams of this.sessions.values()) {
      for (const subscriber of streams.subscribers) subscriber.sink.write(HEARTBEAT_FRAME);
    }
  }
}

const tooManyStreams = (detail: string): AppError =>
  new AppError('TOO_MANY_STREAMS', detail, { retryAfterSeconds: STREAMS_RETRY_AFTER_SECONDS });

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
