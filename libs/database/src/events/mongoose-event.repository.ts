import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { SessionOutbox } from '../sessions/session-outbox.js';
import type { EventRecord } from '../sessions/session.types.js';
import { EventRepository } from './event.repository.js';
import { SessionEvent } from './event.schema.js';
import { batchSize } from '../repository/index.js';

type LeanEvent = SessionEvent;

const toEventRecord = (doc: LeanEvent): EventRecord => ({
  sessionId: doc.sessionId,
  seq: doc.seq,
  type: doc.type,
  at: doc.at,
  data: { ...(doc.data ?? {}) },
});

@Injectable()
export class MongooseEventRepository extends EventRepository {
  constructor(
    @InjectModel(SessionEvent.name) private readonly events: Model<SessionEvent>,
    private readonly outbox: SessionOutbox,
  ) {
    super();
  }

  async list(sessionId: string, after: number, limit: number): Promise<EventRecord[]> {
    const id = String(sessionId);
    const from = Math.trunc(Number(after)) || 0;
    const size = batchSize(limit);
    // Committed changes whose copy did not happen yet (a crash in between) go in first, so
    // the page never skips an event that a later one already follows.
    await this.outbox.flushPending(id);
    const docs = await this.events
      .find(
        { sessionId: id, seq: { $gt: from } },
        { _id: 0, sessionId: 1, seq: 1, type: 1, at: 1, data: 1 },
      )
      .sort({ seq: 1 })
      .limit(size)
      .lean<LeanEvent[]>()
      .exec();
    return docs.map(toEventRecord);
  }
}
