import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { SessionEvent } from '../events/event.schema.js';
import { SessionOutbox } from '../sessions/session-outbox.js';
import type { LeanSession } from '../sessions/session.records.js';
import { Session } from '../sessions/session.schema.js';
import type { StoredSessionStatus } from '../sessions/session.types.js';
import { SessionLifecycleRepository } from './session-lifecycle.repository.js';
import { batchSize, idList } from '../repository/index.js';
import { fenced, type WriteFence } from './write-fence.js';

const ENDED: StoredSessionStatus[] = ['closed', 'expired'];

/** An ended session purged at or before `purgedBefore` (a null filesPurgedAt never matches $lte). */
const prunableAt = (purgedBefore: Date): QueryFilter<Session> => ({
  status: { $in: ENDED },
  filesPurgedAt: { $lte: new Date(purgedBefore) },
});

@Injectable()
export class MongooseSessionLifecycleRepository extends SessionLifecycleRepository {
  constructor(
    @InjectModel(Session.name) private readonly sessions: Model<Session>,
    @InjectModel(SessionEvent.name) private readonly events: Model<SessionEvent>,
    private readonly outbox: SessionOutbox,
  ) {
    super();
  }

  async expireDue(now: Date, limit: number, fence?: WriteFence): Promise<string[]> {
    const at = new Date(now);
    const due = await this.sessions
      .find({ status: 'active', expiresAt: { $lte: at } }, { _id: 1, expiresAt: 1 })
      .sort({ expiresAt: 1 })
      .limit(batchSize(limit))
      .lean<Pick<LeanSession, '_id' | 'expiresAt'>[]>()
      .exec();
    const expired: string[] = [];
    for (const session of due) {
      // The expiresAt read is part of the filter (it is at or before `at`), so the event states
      // the value the session actually ended with; one extended meanwhile is skipped.
      const doc = await this.outbox.apply(
        fenced({ _id: session._id, status: 'active', expiresAt: session.expiresAt }, fence),
        { $set: { status: 'expired' } },
        { type: 'session.expired', data: { expiresAt: session.expiresAt.toISOString() } },
        at,
      );
      if (doc !== null) expired.push(session._id);
    }
    return expired;
  }

  async findEnded(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const docs = await this.sessions
      .find({ _id: { $in: idList(ids) }, status: { $in: ENDED } }, { _id: 1 })
      .lean<Pick<LeanSession, '_id'>[]>()
      .exec();
    return docs.map((doc) => doc._id);
  }

  async findEndedUnpurged(limit: number, afterId: string | null): Promise<string[]> {
    const filter: QueryFilter<Session> = { status: { $in: ENDED }, filesPurgedAt: null };
    if (afterId !== null) filter._id = { $gt: String(afterId) };
    const docs = await this.sessions
      .find(filter, { _id: 1 })
      .sort({ _id: 1 })
      .limit(batchSize(limit))
      .lean<Pick<LeanSession, '_id'>[]>()
      .exec();
    return docs.map((doc) => doc._id);
  }

  async markFilesPurged(
    id: string,
    now: Date,
    purged: { files: number },
    fence?: WriteFence,
  ): Promise<boolean> {
    const at = new Date(now);
    const doc = await this.outbox.apply(
      fenced({ _id: String(id), status: { $in: ENDED }, filesPurgedAt: null }, fence),
      { $set: { filesPurgedAt: at } },
      { type: 'session.purged', data: { files: Number(purged.files) } },
      at,
    );
    return doc !== null;
  }

  async reopenPurge(id: string, fence?: WriteFence): Promise<boolean> {
    // Bookkeeping only, no event: the purge that follows records its own session.purged.
    const result = await this.sessions
      .updateOne(
        fenced({ _id: String(id), status: { $in: ENDED }, filesPurgedAt: { $ne: null } }, fence),
        { $set: { filesPurgedAt: null } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  async findPrunable(purgedBefore: Date, limit: number): Promise<string[]> {
    const docs = await this.sessions
      .find(prunableAt(purgedBefore), { _id: 1 })
      .sort({ filesPurgedAt: 1 })
      .limit(batchSize(limit))
      .lean<Pick<LeanSession, '_id'>[]>()
      .exec();
    return docs.map((doc) => doc._id);
  }

  async prune(id: string, purgedBefore: Date, fence?: WriteFence): Promise<boolean> {
    const filter: QueryFilter<Session> = { _id: String(id), ...prunableAt(purgedBefore) };
    // Events only of a session that still qualifies; the document last, so a crash in between
    // leaves it for the next run to find and repeat both. Both deletes carry the fence: the read
    // before them is no write, and a late delete deletes nothing, so a stale prune changes
    // nothing whichever of them arrives late.
    const qualifies = await this.sessions.exists(filter).exec();
    if (qualifies === null) return false;
    await this.events.deleteMany(fenced({ sessionId: String(id) }, fence)).exec();
    const result = await this.sessions.deleteOne(fenced(filter, fence)).exec();
    return result.deletedCount === 1;
  }
}
