import type { EventRecord } from '../sessions/session.types.js';

/** Where one session's reader stands: it has every event up to `after`. */
export interface EventCursor {
  sessionId: string;
  after: number;
}

/**
 * The live-updates tail of the `events` collection: many sessions' new events in one query.
 * Unlike EventRepository.list it copies nothing from the sessions' outboxes, so an answer may
 * have a gap where an event is committed but not copied yet; `flushPending` fills it.
 */
export abstract class EventTail {
  /**
   * The events after each cursor, for every cursor's session in ONE query: sorted by session id,
   * then seq, at most `limit` in all.
   */
  abstract read(cursors: readonly EventCursor[], limit: number): Promise<EventRecord[]>;

  /** Copies the session's committed but not yet copied events into `events`. */
  abstract flushPending(sessionId: string): Promise<void>;
}
