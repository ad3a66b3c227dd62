import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import { SessionEvent } from '../events/event.schema.js';
import { hotCollection, isDuplicateKeyError, randomId } from '../repository/index.js';
import { CoalescedFlushes } from './coalesced-flushes.js';
import { GroupedAppends } from './grouped-appends.js';
import { safeEventData, type LeanSession } from './session.records.js';
import { Session, type OutboxEntryDoc } from './session.schema.js';
import type { SessionEventInput } from './session.types.js';

type OutboxView = Pick<LeanSession, '_id' | 'seq' | 'outbox'>;
// What a flush needs of the document a change returns: not the devices, limits and the rest.
const OUTBOX_VIEW = { _id: 1, seq: 1, outbox: 1 } as const;

interface BulkWriteErrorShape {
  writeErrors?: unknown;
}

// An unordered insert that failed only on events already copied is a success: the copy is
// idempotent. Anything else (a real write error, a lost connection) is rethrown.
function onlyDuplicates(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { writeErrors }: BulkWriteErrorShape = error;
  if (!Array.isArray(writeErrors) || writeErrors.length === 0) return isDuplicateKeyError(error);
  return writeErrors.every((e: unknown) => isDuplicateKeyError(e) || isDuplicateKeyError(errOf(e)));
}

// The driver's WriteError keeps the server's error document under `err`.
const errOf = (e: unknown): unknown =>
  typeof e === 'object' && e !== null && 'err' in e ? e.err : undefined;

/**
 * Gapless session events without transactions. A state change is one conditional update of the
 * session document that does `$inc: { seq: 1 }` and pushes the event into `outbox`; the
 * returned document then says each entry's seq: the outbox holds the session's last k events,
 * so entry i has seq `seq - k + 1 + i`. The entries are copied into `events` (unique on
 * sessionId + seq, so a second copy is a no-op) and pulled by their random id. Entries leave
 * only as a prefix (a flush pulls everything its snapshot held above what it knows is copied,
 * and newer entries are appended behind), so the derivation stays right. A crash between the
 * update and the copy leaves the entries in place for the next change of that session or the
 * next EventRepository.list.
 *
 * The copy after a change is coalesced per session (CoalescedFlushes): the change's caller goes
 * on once its event is in `events`, as if it had flushed alone, but many changes of one session
 * at once share a few flushes.
 */
@Injectable()
export class SessionOutbox {
  private readonly logger = new Logger(SessionOutbox.name);
  private readonly appends = new GroupedAppends<OutboxEntryDoc, OutboxView | null>(
    // Entries are built complete by entry() (nothing for Mongoose to cast or default): a hot
    // command, without a Mongoose query (hotCollection).
    (sessionId, entries) =>
      this.hot.findOneAndUpdate(
        { _id: sessionId },
        { $inc: { seq: entries.length }, $push: { outbox: { $each: entries } } },
        { returnDocument: 'after', projection: OUTBOX_VIEW },
      ),
  );
  private readonly committed = new CoalescedFlushes<OutboxView>(
    (doc, copied) => this.flush(doc, copied),
    // The change stands even if the copy fails (the database went away in between): the entries
    // stay in the outbox for the next flush, so this logs instead of failing the caller.
    (doc, error) => {
      this.logger.warn(
        `events of session ${doc._id} stay in its outbox for the next flush: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    },
  );

  private readonly hot: Collection<LeanSession>;

  constructor(
    @InjectModel(Session.name) private readonly sessions: Model<Session>,
    @InjectModel(SessionEvent.name) private readonly events: Model<SessionEvent>,
  ) {
    this.hot = hotCollection<LeanSession>(sessions);
  }

  /** An outbox entry for `event` at `at`. */
  entry(event: SessionEventInput, at: Date): OutboxEntryDoc {
    return {
      id: randomId(),
      type: String(event.type),
      at,
      data: safeEventData(event.data),
    };
  }

  /**
   * Applies `update` to the one session matching `filter`, allocating the next seq and recording
   * `event` in the same atomic update, then copies the outbox into `events`. Null when nothing
   * matched (nothing changed).
   */
  async apply(
    filter: QueryFilter<Session>,
    update: UpdateQuery<Session>,
    event: SessionEventInput,
    now: Date,
  ): Promise<LeanSession | null> {
    const { $inc, $push, ...rest } = update;
    const doc = await this.sessions
      .findOneAndUpdate(
        filter,
        {
          ...rest,
          $inc: { ...($inc ?? {}), seq: 1 },
          $push: { ...($push ?? {}), outbox: this.entry(event, now) },
        },
        { returnDocument: 'after' },
      )
      .lean<LeanSession>()
      .exec();
    if (doc === null) return null;
    await this.flushCommitted(doc);
    return doc;
  }

  /**
   * Records `event` on session `sessionId` whatever its status (no other change), as apply()
   * does, without reading the session back. Events recorded on one session at once share one
   * update (GroupedAppends); each caller still goes on once its own event is in `events`. False
   * when the session does not exist (nothing recorded).
   */
  async record(sessionId: string, event: SessionEventInput, now: Date): Promise<boolean> {
    const doc = await this.appends.append(String(sessionId), this.entry(event, now));
    if (doc === null) return false;
    await this.flushCommitted(doc);
    return true;
  }

  /**
   * As record(), but resolves once the event is committed (in the session's outbox, its seq
   * taken), without waiting for its copy into `events`, which goes on as record()'s would. For
   * a request that only needs its event not to be lost: nothing reads `events` for a session
   * without flushing its outbox first (EventRepository.list), and a copy that fails leaves the
   * entry for the next flush. Spares such a request the two round trips of the copy.
   */
  async commit(sessionId: string, event: SessionEventInput, now: Date): Promise<boolean> {
    const doc = await this.appends.append(String(sessionId), this.entry(event, now));
    if (doc === null) return false;
    // after() never rejects: a failed copy is reported (logged) and its entries stay.
    void this.flushCommitted(doc);
    return true;
  }

  /**
   * Flushes after a committed change, with the other flushes of the session in this process.
   * The change stands even if the copy fails: this logs instead of failing the caller's request.
   */
  flushCommitted(doc: OutboxView): Promise<void> {
    return this.committed.after(doc);
  }

  /** Reads the session's outbox and flushes whatever is pending. */
  async flushPending(sessionId: string): Promise<void> {
    const doc = await this.sessions
      .findOne({ _id: String(sessionId) }, OUTBOX_VIEW)
      .lean<OutboxView>()
      .exec();
    if (doc !== null) await this.flush(doc);
  }

  /**
   * Copies the entries of this snapshot of the outbox with a seq above `copied` (those up to it
   * are known to be in `events` and out of the outbox) into `events`, then pulls them.
   */
  async flush(doc: OutboxView, copied = 0): Promise<void> {
    const outbox = doc.outbox ?? [];
    const first = doc.seq - outbox.length + 1;
    const pending = outbox
      .map((entry, i) => ({ entry, seq: first + i }))
      .filter(({ seq }) => seq > copied);
    if (pending.length === 0) return;
    const events = pending.map(({ entry, seq }) => ({
      sessionId: doc._id,
      seq,
      type: entry.type,
      at: entry.at,
      data: entry.data ?? {},
    }));
    try {
      // lean: the documents are built here from what the outbox held (typed, complete), so
      // Mongoose's hydration and validation of each one would only cost time.
      await this.events.insertMany(events, { ordered: false, lean: true });
    } catch (error) {
      if (!onlyDuplicates(error)) throw error;
    }
    await this.hot.updateOne(
      { _id: doc._id },
      { $pull: { outbox: { id: { $in: pending.map(({ entry }) => entry.id) } } } },
    );
  }
}
