import type { EventRecord } from '../sessions/session.types.js';

/**
 * A session's events (collection `events`, unique on sessionId + seq). Written only by the
 * session and device repositories, as part of their state changes.
 */
export abstract class EventRepository {
  /**
   * Events of a session with `seq > after`, oldest first, at most `limit`. Events whose state
   * change committed but whose copy into `events` did not finish yet (a crash in between) are
   * copied first, so the answer never has a gap.
   */
  abstract list(sessionId: string, after: number, limit: number): Promise<EventRecord[]>;
}
