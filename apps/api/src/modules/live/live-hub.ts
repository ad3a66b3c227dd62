import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EventTail, type EventCursor, type EventRecord } from '@app/database';
import { EMPTY_ANSWER, roundRobin, TailAnswer, withDeadline } from './live-reads.js';
import { LiveMetrics } from './live-metrics.js';
import { endOf, eventFrame, HEARTBEAT_FRAME, endFrame, type EndReason } from './sse-frames.js';
import { SessionStreams, type StreamSink, type Subscriber } from './session-streams.js';
import { TailFailures } from './tail-failures.js';

/** Events one tail query (the live one, or the catch-up one) reads at most. */
export const TICK_LIMIT = 500;
/** A tail query not answered within this long counts as failed, and the loop goes on. */
export const TAIL_DEADLINE_MS = 4000;
/**
 * A stream of an expired session ends once it has every event (its session fully read and it
 * caught up); one still short of that this long after expiresAt ends anyway.
 */
export const EXPIRY_GRACE_MS = 30_000;
/** A gap (an event committed but not copied yet) held this long is filled with a flush. */
export const GAP_FLUSH_MS = 1000;
/** A gap held this long is logged (again every as long): the database is in trouble. */
const GAP_WARN_MS = 10_000;
/** Retry-After of a 429 TOO_MANY_STREAMS. */
export const STREAMS_RETRY_AFTER_SECONDS = 10;

export type { StreamSink } from './session-streams.js';

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

/**
 * The process-wide hub of event streams. Per session, its subscribers with their own cursors.
 * Every SSE_POLL_INTERVAL_MS while any stream is open, ONE live tail query reads the events after
 * every subscribed session's head (only new events), and at most ONE catch-up query reads, for
 * the sessions with a subscriber behind the head (an old Last-Event-ID), the events after the
 * lowest such cursor: round-robin over those sessions, TICK_LIMIT events at most. So a stream
 * catching up on thousands of events never delays the live ones. Each subscriber gets the
 * contiguous events after its cursor: never a gap, never a duplicate. A session whose events show
 * a gap is held (its subscribers get nothing past it) and, after GAP_FLUSH_MS, its outbox is
 * flushed (again each GAP_FLUSH_MS while the gap stays). Streams end on the session's close or
 * expiry (the event, or its expiresAt passing once the stream has every event), on their
 * device's revocation or rejection, and at shutdown. A failing tail is logged sparingly and
 * retried with a growing interval (TailFailures).
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
  /** The last catch-up query stopped inside this session: the next one goes on after it. */
  private catchUpStoppedIn: string | null = null;
  /** Failures of the live query: logged sparingly, and they slow the ticks down. */
  private readonly failures = new TailFailures(this.logger);
  /** Failures of the catch-up query alone: logged sparingly; the live ticks go on as usual. */
  private readonly catchUpFailures = new TailFailures(this.logger, 'catch-up: ');
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
    const read = { seq: input.sessionSeq, expiresAt: input.expiresAt };
    let streams = this.sessions.get(input.sessionId);
    if (streams === undefined) {
      streams = new SessionStreams(read);
      this.sessions.set(input.sessionId, streams);
    } else {
      streams.joined(read);
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
      this.finish(subscriber, 'disconnected');
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
    const live = [...this.sessions.entries()].map(([sessionId, streams]) => ({
      sessionId,
      after: streams.head,
    }));
    const catchUp = roundRobin(this.lagging(), this.catchUpStoppedIn);
    const liveRead = this.read(live);
    const catchUpRead = catchUp.length > 0 ? this.read(catchUp) : Promise.resolve(EMPTY_ANSWER);
    // Never unhandled, whichever settles first; its own failure is logged below.
    catchUpRead.catch(() => undefined);
    const liveAnswer = await liveRead.catch((error: unknown) => {
      this.failures.failed(this.now(), messageOf(error));
      return null;
    });
    if (liveAnswer === null) return;
    this.failures.succeeded(this.now());
    // The live events go out at once, without waiting for the catch-up's answer.
    for (const [sessionId, streams] of [...this.sessions]) {
      const events = liveAnswer.of(sessionId);
      for (const subscriber of [...streams.subscribers])
        this.deliverTo(streams, subscriber, events);
    }
    const catchUpAnswer = await catchUpRead.catch((error: unknown) => {
      this.catchUpFailures.failed(this.now(), messageOf(error));
      return EMPTY_ANSWER;
    });
    if (catchUpAnswer !== EMPTY_ANSWER || catchUp.length === 0) {
      this.catchUpStoppedIn = catchUpAnswer.stoppedIn;
      this.catchUpFailures.succeeded(this.now());
    }
    for (const [sessionId, streams] of [...this.sessions]) {
      this.deliverSession(sessionId, streams, liveAnswer, catchUpAnswer, started);
    }
  }

  /** One tail query, bounded in time, as an answer; a failure rejects. */
  private async read(cursors: readonly EventCursor[]): Promise<TailAnswer> {
    const started = this.now();
    try {
      const events = await withDeadline(this.tail.read(cursors, TICK_LIMIT), TAIL_DEADLINE_MS);
      this.metrics.tailQuery((this.now() - started) / 1000, 'ok');
      return new TailAnswer(cursors, events, TICK_LIMIT);
    } catch (error) {
      this.metrics.tailQuery((this.now() - started) / 1000, 'error');
      throw error;
    }
  }

  /** The catch-up query's cursors: per session with a subscriber behind the head, the lowest. */
  private lagging(): EventCursor[] {
    const cursors: EventCursor[] = [];
    for (const [sessionId, streams] of this.sessions) {
      const after = streams.laggingCursor();
      if (after !== null) cursors.push({ sessionId, after });
    }
    return cursors;
  }

  private deliverSession(
    sessionId: string,
    streams: SessionStreams,
    live: TailAnswer,
    catchUp: TailAnswer,
    started: number,
  ): void {
    const head = streams.head;
    const liveEvents = live.of(sessionId);
    const catchUpEvents = catchUp.of(sessionId);
    streams.learn(catchUpEvents);
    streams.learn(liveEvents);
    let held = false;
    for (const subscriber of [...streams.subscribers]) {
      // The catch-up first; a subscriber it brings up to the head goes on with the live events.
      if (!this.deliverTo(streams, subscriber, catchUpEvents)) continue;
      if (!this.deliverTo(streams, subscriber, liveEvents)) continue;
      if (streams.waitsForGap(sessionId, subscriber.cursor, head, live, catchUp)) held = true;
    }
    streams.advanceHead(liveEvents);
    if (streams.subscribers.size > 0) this.holdOrRelease(sessionId, streams, held);
    this.endIfExpired(streams, live.fullyRead(sessionId) && !held, started);
  }

  /**
   * Writes the contiguous events after the subscriber's cursor. False when the stream is over
   * (an ending event, or its sink failed: only this subscriber is dropped, the others go on).
   */
  private deliverTo(
    streams: SessionStreams,
    subscriber: Subscriber,
    events: readonly EventRecord[],
  ): boolean {
    for (const event of events) {
      if (!streams.subscribers.has(subscriber)) return false;
      if (event.seq <= subscriber.cursor) continue;
      if (event.seq !== subscriber.cursor + 1) break;
      try {
        subscriber.sink.write(eventFrame(event));
      } catch (error) {
        this.logger.warn(`event stream dropped, writing to it failed: ${messageOf(error)}`);
        this.finish(subscriber, 'disconnected');
        return false;
      }
      subscriber.cursor = event.seq;
      this.metrics.eventSent();
      const reason = endOf(event, subscriber.deviceId);
      if (reason !== null) {
        this.end(subscriber, reason);
        return false;
      }
    }
    return streams.subscribers.has(subscriber);
  }

  /**
   * At expiresAt (as of the query's start: everything committed before is in its answer), ends
   * the streams that have every event: the session fully read by the live query, not held at a
   * gap, and the stream at its head. One still short of that ends once it has them, or
   * EXPIRY_GRACE_MS after expiresAt whatever happens.
   */
  private endIfExpired(streams: SessionStreams, fullyRead: boolean, started: number): void {
    if (streams.expiresAt > started) return;
    const late = streams.expiresAt + EXPIRY_GRACE_MS <= started;
    for (const subscriber of [...streams.subscribers]) {
      if (late || (fullyRead && subscriber.cursor >= streams.head)) {
        this.end(subscriber, 'session_expired');
      }
    }
  }

  private holdOrRelease(sessionId: string, streams: SessionStreams, held: boolean): void {
    const due = streams.gapDue(held, this.now(), GAP_FLUSH_MS, GAP_WARN_MS);
    if (due.flush) {
      this.tail.flushPending(sessionId).catch((error: unknown) => {
        this.logger.warn(`outbox flush of session ${sessionId} failed: ${messageOf(error)}`);
      });
    }
    if (due.warn) {
      this.logger.warn(
        `event streams of session ${sessionId} wait for event ${String(
          streams.lowestCursor() + 1,
        )} since ${String(Math.round(due.waited / 1000))} s (not copied from its outbox yet)`,
      );
    }
  }

  /** Ends a stream with its `end` frame. */
  private end(subscriber: Subscriber, reason: EndReason): void {
    this.finish(subscriber, reason, endFrame(reason));
  }

  /** Takes a stream out and ends its response (`frame`: none when the client is gone). */
  private finish(subscriber: Subscriber, reason: EndReason | 'disconnected', frame?: string): void {
    if (!this.detach(subscriber)) return;
    this.metrics.streamEnded(reason);
    try {
      subscriber.sink.end(frame);
    } catch (error) {
      this.logger.debug(`stream end not written: ${messageOf(error)}`);
    }
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
      void this.tick()
        .catch((error: unknown) => {
          this.logger.error(`live tick failed: ${messageOf(error)}`);
        })
        .finally(() => {
          if (this.count === 0 || this.closing) {
            this.looping = false;
            return;
          }
          const interval = this.config.live.pollIntervalMs;
          this.scheduleTick(this.failures.delay(interval, this.now() - started));
        });
    }, delayMs);
    this.tickTimer.unref();
  }

  private heartbeat(): void {
    for (const streams of [...this.sessions.values()]) {
      for (const subscriber of [...streams.subscribers]) {
        try {
          subscriber.sink.write(HEARTBEAT_FRAME);
        } catch (error) {
          this.logger.warn(`event stream dropped, writing to it failed: ${messageOf(error)}`);
          this.finish(subscriber, 'disconnected');
        }
      }
    }
  }
}

const tooManyStreams = (detail: string): AppError =>
  new AppError('TOO_MANY_STREAMS', detail, { retryAfterSeconds: STREAMS_RETRY_AFTER_SECONDS });

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
