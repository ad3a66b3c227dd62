import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { SessionOutbox } from '../sessions/session-outbox.js';
import type { LeanSession } from '../sessions/session.records.js';
import { Session } from '../sessions/session.schema.js';
import type { SessionEventInput } from '../sessions/session.types.js';
import { SessionFilesRepository, type FileSlotResult } from './session-files.repository.js';

type SessionHead = Pick<LeanSession, '_id' | 'status' | 'expiresAt' | 'limits' | 'stats'>;
const HEAD = { _id: 1, status: 1, expiresAt: 1, limits: 1, stats: 1 } as const;

const isLive = (head: SessionHead, now: Date): boolean =>
  head.status === 'active' && head.expiresAt.getTime() > now.getTime();

/** A byte count from the caller: a non-negative integer, or a programming error. */
function byteCount(value: number): number {
  const size = Number(value);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid file size ${value}`);
  return size;
}

@Injectable()
export class MongooseSessionFilesRepository extends SessionFilesRepository {
  constructor(
    @InjectModel(Session.name) private readonly sessions: Model<Session>,
    private readonly outbox: SessionOutbox,
  ) {
    super();
  }

  async reserve(sessionId: string, size: number, now: Date): Promise<FileSlotResult> {
    const id = String(sessionId);
    const bytes = byteCount(size);
    // limits never change after creation, so the ones read here still hold at the update.
    const before = await this.head(id);
    if (before === null) return { ok: false, reason: 'not_found' };
    if (!isLive(before, now)) return { ok: false, reason: 'inactive' };
    const { maxFiles, maxTotalBytes, maxFileBytes } = before.limits;
    if (bytes > Number(maxFileBytes)) return { ok: false, reason: 'file_too_large' };
    if (bytes > Number(maxTotalBytes)) return { ok: false, reason: 'too_many_bytes' };

    const reserved = await this.sessions
      .updateOne(
        {
          _id: id,
          status: 'active',
          expiresAt: { $gt: now },
          'stats.files': { $lt: Number(maxFiles) },
          'stats.bytes': { $lte: Number(maxTotalBytes) - bytes },
        },
        { $inc: { 'stats.files': 1, 'stats.bytes': bytes } },
      )
      .exec();
    if (reserved.matchedCount === 1) return { ok: true };

    // Refused: say why from what the session looks like now.
    const current = await this.head(id);
    if (current === null) return { ok: false, reason: 'not_found' };
    if (!isLive(current, now)) return { ok: false, reason: 'inactive' };
    if (current.stats.files >= Number(maxFiles)) return { ok: false, reason: 'too_many_files' };
    return { ok: false, reason: 'too_many_bytes' };
  }

  async release(sessionId: string, size: number): Promise<void> {
    const bytes = byteCount(size);
    // Guarded so that a counter never goes below zero (a second release of the same file
    // finds nothing to give back once the counters are spent).
    await this.sessions
      .updateOne(
        { _id: String(sessionId), 'stats.files': { $gte: 1 }, 'stats.bytes': { $gte: bytes } },
        { $inc: { 'stats.files': -1, 'stats.bytes': -bytes } },
      )
      .exec();
  }

  async recordEvent(sessionId: string, now: Date, event: SessionEventInput): Promise<void> {
    // Any status: the worker may settle a file after its session ended. A missing session
    // matches nothing and records nothing.
    await this.outbox.record(String(sessionId), event, now);
  }

  async commitEvent(sessionId: string, now: Date, event: SessionEventInput): Promise<void> {
    await this.outbox.commit(String(sessionId), event, now);
  }

  private async head(id: string): Promise<SessionHead | null> {
    return this.sessions.findOne({ _id: id }, HEAD).lean<SessionHead>().exec();
  }
}
