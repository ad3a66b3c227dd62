import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { batchSize } from '../repository/index.js';
import { SessionOutbox } from '../sessions/session-outbox.js';
import type { EventRecord } from '../sessions/session.types.js';
import { EventTail, type EventCursor } from './event-tail.js';
import { SessionEvent } from './event.schema.js';

/** The server stops a tail query after this long (maxTimeMS). */
export const TAIL_MAX_TIME_MS = 2000;
/** The client gives up on a tail query's answer after this long (a hung connection). */
export const TAIL_TIMEOUT_MS = 3000;

@Injectable()
export class MongooseEventTail extends EventTail {
  constructor(
    @InjectModel(SessionEvent.name) private readonly events: Model<SessionEvent>,
    private readonly outbox: SessionOutbox,
  ) {
    super();
  }

  async read(cursors: readonly EventCursor[], limit: number): Promise<EventRecord[]> {
    if (cursors.length === 0) return [];
    const branches = cursors.map((c) => ({
      sessionId: String(c.sessionId),
      seq: { $gt: Math.trunc(Number(c.after)) || 0 },
    }));
    // Each branch is a range of the (sessionId, seq) index; the top-level $in pins the same
    // index's leading field, which lets simpler engines (the devstack) use it as well. The
    // native find takes an abort signal: at the deadline the driver gives up server selection
    // or closes the connection whose answer never came, instead of holding a pooled connection
    // for socketTimeoutMS; maxTimeMS stops the query on the server side too.
    const docs = await this.events.collection
      .find<SessionEvent>(
        { sessionId: { $in: branches.map((b) => b.sessionId) }, $or: branches },
        {
          projection: { _id: 0, sessionId: 1, seq: 1, type: 1, at: 1, data: 1 },
          sort: { sessionId: 1, seq: 1 },
          limit: batchSize(limit),
          maxTimeMS: TAIL_MAX_TIME_MS,
          signal: AbortSignal.timeout(TAIL_TIMEOUT_MS),
        },
      )
      .toArray();
    return docs.map((doc) => ({
      sessionId: doc.sessionId,
      seq: doc.seq,
      type: doc.type,
      at: doc.at,
      data: { ...(doc.data ?? {}) },
    }));
  }

  flushPending(sessionId: string): Promise<void> {
    return this.outbox.flushPending(String(sessionId));
  }
}
