import type { EventRecord } from '@app/database';
import type { TailAnswer } from './live-reads.js';

/** Where the hub writes a stream's frames; the HTTP layer implements it on the raw reply. */
export interface StreamSink {
  write(chunk: string): void;
  /** Ends the response after `lastFrame` (none: the connection is already gone). */
  end(lastFrame?: string): void;
}

export interface Subscriber {
  readonly sessionId: string;
  /** The device of a device token; null for the owner. */
  readonly deviceId: string | null;
  /** The stream has every event up to this seq. */
  cursor: number;
  readonly sink: StreamSink;
}

/** What the session was, as read when a stream connected. */
export interface SessionAtConnect {
  /** Its latest seq: events up to it exist. */
  seq: number;
  expiresAt: Date;
}

/** What the gap clock says after a tick: flush the outbox now, warn now (after `waited` ms). */
export interface GapDue {
  flush: boolean;
  warn: boolean;
  waited: number;
}

/**
 * One session's streams in this process and what the hub knows of the session's events: where
 * the live query reads from (`head`), the seq known to exist, the expiry, and how long delivery
 * has waited at a gap. Pure bookkeeping: the hub does the reading, writing and ending.
 */
export class SessionStreams {
  readonly subscribers = new Set<Subscriber>();
  /**
   * The live query reads after it: every event up to it has been read (the seq at the first
   * subscribe, then as far as the live answers went without a gap). A subscriber below it is
   * catching up, through the catch-up query.
   */
  head: number;
  /** Highest seq known to exist: below it, a missing event is a gap, not the future. */
  private knownSeq: number;
  private expiresAtMs: number;
  /** Seq of the record or event that set the expiry (a newer one wins). */
  private expiresAtSeq: number;
  /** Since when delivery waits for a missing event (null: nothing missing). */
  private gapSince: number | null = null;
  private lastFlushAt = 0;
  private lastWarnAt = 0;

  constructor(first: SessionAtConnect) {
    this.head = first.seq;
    this.knownSeq = first.seq;
    this.expiresAtMs = first.expiresAt.getTime();
    this.expiresAtSeq = first.seq;
  }

  get expiresAt(): number {
    return this.expiresAtMs;
  }

  /** A later stream's read of the session: its seq exists, its expiry is newer if its seq is. */
  joined(read: SessionAtConnect): void {
    this.knownSeq = Math.max(this.knownSeq, read.seq);
    if (read.seq >= this.expiresAtSeq) {
      this.expiresAtMs = read.expiresAt.getTime();
      this.expiresAtSeq = read.seq;
    }
  }

  /** The lowest cursor of the subscribers behind the head (null: none is catching up). */
  laggingCursor(): number | null {
    let lowest: number | null = null;
    for (const s of this.subscribers) {
      if (s.cursor < this.head && (lowest === null || s.cursor < lowest)) lowest = s.cursor;
    }
    return lowest;
  }

  /** The lowest cursor of all subscribers (Infinity with none). */
  lowestCursor(): number {
    return Math.min(...[...this.subscribers].map((s) => s.cursor));
  }

  /** What events say about their session: the seq that exists, a moved expiry. */
  learn(events: readonly EventRecord[]): void {
    for (const event of events) {
      this.knownSeq = Math.max(this.knownSeq, event.seq);
      if (event.type === 'session.extended' && event.seq > this.expiresAtSeq) {
        const expiresAt = Date.parse(String(event.data.expiresAt));
        if (Number.isFinite(expiresAt)) {
          this.expiresAtMs = expiresAt;
          this.expiresAtSeq = event.seq;
        }
      }
    }
  }

  /**
   * Moves the head on as far as the live answer went without a gap, or to the lowest cursor
   * when every subscriber is past it (one that joined later, at a newer seq).
   */
  advanceHead(liveEvents: readonly EventRecord[]): void {
    let reached = this.head;
    for (const event of liveEvents) {
      if (event.seq === reached + 1) reached = event.seq;
      else if (event.seq > reached + 1) break;
    }
    const lowest = this.lowestCursor();
    this.head = Math.max(this.head, reached, Number.isFinite(lowest) ? lowest : this.head);
  }

  /**
   * Whether a subscriber at `cursor` waits for an event that exists: the answer that read from
   * at most its cursor (the live one at or past `head`, the head this tick read from, else the
   * catch-up one) has a later event, or read the session fully and its seq says there is more.
   */
  waitsForGap(
    sessionId: string,
    cursor: number,
    head: number,
    live: TailAnswer,
    catchUp: TailAnswer,
  ): boolean {
    const answer = cursor >= head ? live : catchUp;
    if (!answer.asks(sessionId)) return false;
    if (answer.of(sessionId).some((e) => e.seq > cursor + 1)) return true;
    return answer.fullyRead(sessionId) && cursor < this.knownSeq;
  }

  /** Runs the gap clock for this tick: whether to flush the outbox, whether to warn, now. */
  gapDue(held: boolean, now: number, flushMs: number, warnMs: number): GapDue {
    if (!held) {
      this.gapSince = null;
      return { flush: false, warn: false, waited: 0 };
    }
    this.gapSince ??= now;
    const waited = now - this.gapSince;
    const flush = waited >= flushMs && now - this.lastFlushAt >= flushMs;
    if (flush) this.lastFlushAt = now;
    const warn = waited >= warnMs && now - this.lastWarnAt >= warnMs;
    if (warn) this.lastWarnAt = now;
    return { flush, warn, waited };
  }
}
