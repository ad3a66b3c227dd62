import type { EventCursor, EventRecord } from '@app/database';

/** One tail answer, by session, with what it says about the sessions it did not finish. */
export class TailAnswer {
  private readonly bySession = new Map<string, EventRecord[]>();
  /** The answer hit its limit: it stopped inside `last`, and read nothing after it. */
  private readonly full: boolean;
  private readonly last: string | undefined;
  private readonly asked: ReadonlySet<string>;

  constructor(cursors: readonly EventCursor[], events: readonly EventRecord[], limit: number) {
    this.asked = new Set(cursors.map((c) => c.sessionId));
    this.full = events.length >= limit;
    this.last = events.at(-1)?.sessionId;
    for (const event of events) {
      const list = this.bySession.get(event.sessionId);
      if (list === undefined) this.bySession.set(event.sessionId, [event]);
      else list.push(event);
    }
  }

  /** Whether the query asked for this session at all. */
  asks(sessionId: string): boolean {
    return this.asked.has(sessionId);
  }

  /** The session's events in the answer, in seq order. */
  of(sessionId: string): readonly EventRecord[] {
    return this.bySession.get(sessionId) ?? [];
  }

  /**
   * Every event of the session after its cursor is in the answer: it was asked for, and the
   * answer did not stop at its limit inside it or before reaching it (sorted by session id).
   */
  fullyRead(sessionId: string): boolean {
    if (!this.asked.has(sessionId)) return false;
    return !this.full || (this.last !== undefined && sessionId < this.last);
  }

  /** Where a round-robin over sessions goes on: the session it stopped in (null: it read all). */
  get stoppedIn(): string | null {
    return this.full && this.last !== undefined ? this.last : null;
  }
}

export const EMPTY_ANSWER = new TailAnswer([], [], Number.POSITIVE_INFINITY);

export const bySessionId = (a: EventCursor, b: EventCursor): number =>
  a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;

/**
 * Round-robin: the cursors of the sessions after `stoppedIn` (the last query stopped inside
 * it), or all of them when there are none after it or it read all (null). Sorted by session.
 */
export function roundRobin(
  cursors: readonly EventCursor[],
  stoppedIn: string | null,
): EventCursor[] {
  const sorted = [...cursors].sort(bySessionId);
  if (stoppedIn === null) return sorted;
  const rest = sorted.filter((c) => c.sessionId > stoppedIn);
  return rest.length > 0 ? rest : sorted;
}

/** Rejects when `promise` has not settled within `ms` (it may still settle later, ignored). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(ms)} ms`));
    }, ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
