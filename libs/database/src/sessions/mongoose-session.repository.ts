import { Injectable } from '@nestjs/common';
import type { Permission } from '@app/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import {
  batchSize,
  conflictOnDuplicate,
  decodeKeysetCursor,
  hotFindById,
  keysetPage,
} from '../repository/index.js';
import { SessionOutbox } from './session-outbox.js';
import { toSessionRecord, type LeanSession } from './session.records.js';
import {
  SessionRepository,
  type NewSession,
  type SessionChange,
  type SessionPage,
} from './session.repository.js';
import { Session } from './session.schema.js';
import type { SessionEventInput, SessionRecord } from './session.types.js';

/** Filter of a session that takes writes at `now`: stored active and not past expiresAt. */
export const liveAt = (now: Date): QueryFilter<Session> => ({
  status: 'active',
  expiresAt: { $gt: now },
});

// Reads never carry the outbox (internal bookkeeping, and it would only cost bytes).
const WITHOUT_OUTBOX = { outbox: 0 } as const;

@Injectable()
export class MongooseSessionRepository extends SessionRepository {
  constructor(
    @InjectModel(Session.name) private readonly sessions: Model<Session>,
    private readonly outbox: SessionOutbox,
  ) {
    super();
  }

  async create(session: NewSession, event: SessionEventInput): Promise<SessionRecord> {
    const limits = session.limits;
    try {
      const doc = await this.sessions.create({
        _id: String(session.id),
        ownerId: String(session.ownerId),
        name: String(session.name),
        status: 'active',
        guestPermissions: session.guestPermissions.map((p) => String(p) as Permission),
        requireApproval: Boolean(session.requireApproval),
        limits: {
          maxDevices: Number(limits.maxDevices),
          maxFiles: Number(limits.maxFiles),
          maxTotalBytes: Number(limits.maxTotalBytes),
          maxFileBytes: Number(limits.maxFileBytes),
          maxDownloadsPerFile: Number(limits.maxDownloadsPerFile),
        },
        stats: { files: 0, bytes: 0, devices: 0 },
        devices: [],
        createdAt: new Date(session.createdAt),
        expiresAt: new Date(session.expiresAt),
        closedAt: null,
        // The created event is event 1, committed with the document itself.
        seq: 1,
        outbox: [this.outbox.entry(event, new Date(session.createdAt))],
      });
      const lean = doc.toObject<LeanSession>();
      await this.outbox.flushCommitted(lean);
      return toSessionRecord(lean);
    } catch (error) {
      throw conflictOnDuplicate(error, 'A session with this id already exists');
    }
  }

  // Every device request's token check reads its session here: a hot command, without a
  // Mongoose query or a driver cursor (hotFindById).
  async findById(id: string): Promise<SessionRecord | null> {
    const doc = await hotFindById<LeanSession>(this.sessions, String(id), WITHOUT_OUTBOX);
    return doc === null ? null : toSessionRecord(doc);
  }

  async listByOwner(ownerId: string, limit: number, cursor: string | null): Promise<SessionPage> {
    const size = batchSize(limit);
    const filter: QueryFilter<Session> = { ownerId: String(ownerId) };
    if (cursor !== null) {
      const after = decodeKeysetCursor(cursor);
      filter.$or = [
        { createdAt: { $lt: after.createdAt } },
        { createdAt: after.createdAt, _id: { $lt: after.id } },
      ];
    }
    // One more than asked: its presence says whether there is a next page.
    const docs = await this.sessions
      .find(filter, WITHOUT_OUTBOX)
      .sort({ createdAt: -1, _id: -1 })
      .limit(size + 1)
      .lean<LeanSession[]>()
      .exec();
    return keysetPage(docs, size, toSessionRecord);
  }

  async update(
    ownerId: string,
    id: string,
    change: SessionChange,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null> {
    const $set: Partial<Pick<Session, 'name' | 'expiresAt'>> = {};
    if (change.name !== undefined) $set.name = String(change.name);
    if (change.expiresAt !== undefined) $set.expiresAt = new Date(change.expiresAt);
    const doc = await this.outbox.apply(
      { _id: String(id), ownerId: String(ownerId), ...liveAt(now) },
      { $set },
      event,
      now,
    );
    return doc === null ? null : toSessionRecord(doc);
  }

  async close(
    ownerId: string,
    id: string,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null> {
    // Live or expired (stored so, or active past expiresAt): closing it is a change and an event.
    const doc = await this.outbox.apply(
      { _id: String(id), ownerId: String(ownerId), status: { $ne: 'closed' } },
      { $set: { status: 'closed', closedAt: now } },
      event,
      now,
    );
    if (doc !== null) return toSessionRecord(doc);
    // Nothing changed: closed already → the session as it is, no event; unknown or someone
    // else's → null.
    const current = await this.sessions
      .findOne({ _id: String(id), ownerId: String(ownerId) }, WITHOUT_OUTBOX)
      .lean<LeanSession>()
      .exec();
    return current === null ? null : toSessionRecord(current);
  }

  async recordEvent(
    ownerId: string,
    id: string,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null> {
    const doc = await this.outbox.apply(
      { _id: String(id), ownerId: String(ownerId), ...liveAt(now) },
      {},
      event,
      now,
    );
    return doc === null ? null : toSessionRecord(doc);
  }
}
