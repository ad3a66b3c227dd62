// In-memory stand-ins for the worker's lifecycle repositories and a fence, next to the file fakes
// (in-memory-files.ts) whose records and write ledger they share, for the worker jobs' specs.
// Same contracts as libs/database/src/lifecycle where the specs depend on them: conditional
// updates, the orders the jobs page by, a write recorded for every write asked for, and a write
// fence judged by the ledger's server clock (past its deadline, a write matches nothing).
import { newPublicId } from '@app/common';
import {
  FileLifecycleRepository,
  SessionLifecycleRepository,
  type FileRecord,
  type NewFile,
  type WriteFence,
} from '@app/database';
import { storageKeyOf } from '../src/storage-key.js';
import {
  filesWorld,
  type FilesWorld,
  type InMemoryFileRepository,
  WriteLedger,
} from './in-memory-files.js';

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const time = (d: Date | null): number => d?.getTime() ?? 0;

export class InMemoryFileLifecycle extends FileLifecycleRepository {
  /** Ids flagged objectMissingAt. */
  readonly missing = new Set<string>();

  constructor(
    private readonly files: InMemoryFileRepository,
    private readonly ledger: WriteLedger,
  ) {
    super();
  }

  private all(): FileRecord[] {
    return [...this.files.docs.values()].map((held) => ({ ...held.record }));
  }

  findBySessions(sessionIds: readonly string[], limit: number): Promise<FileRecord[]> {
    const found = this.all()
      .filter((f) => sessionIds.includes(f.sessionId))
      .sort(
        (a, b) =>
          byBytes(a.sessionId, b.sessionId) ||
          time(a.createdAt) - time(b.createdAt) ||
          byBytes(a.id, b.id),
      );
    return Promise.resolve(found.slice(0, limit));
  }

  deleteOfSessions(
    ids: readonly string[],
    sessionIds: readonly string[],
    fence?: WriteFence,
  ): Promise<number> {
    if (!this.ledger.fenced(`lifecycle.deleteOfSessions:${ids.join(',')}`, fence)) {
      return Promise.resolve(0);
    }
    let deleted = 0;
    for (const id of ids) {
      const held = this.files.docs.get(id);
      if (held === undefined || !sessionIds.includes(held.record.sessionId)) continue;
      this.files.docs.delete(id);
      deleted++;
    }
    return Promise.resolve(deleted);
  }

  findObjectPurgeDue(now: Date, limit: number): Promise<FileRecord[]> {
    const due = this.all()
      .filter(
        (f) =>
          (f.status === 'rejected' || f.status === 'deleted') &&
          f.objectPurgedAt === null &&
          time(f.uploadUrlExpiresAt ?? f.uploadExpiresAt) <= now.getTime(),
      )
      .sort((a, b) => time(a.createdAt) - time(b.createdAt) || byBytes(a.id, b.id));
    return Promise.resolve(due.slice(0, limit));
  }

  settlePurged(
    ids: readonly string[],
    now: Date,
    fence?: WriteFence,
  ): Promise<{ removed: number; marked: number }> {
    let removed = 0;
    let marked = 0;
    if (!this.ledger.fenced(`lifecycle.settlePurged:${ids.join(',')}`, fence)) {
      return Promise.resolve({ removed, marked });
    }
    for (const id of ids) {
      const held = this.files.docs.get(id);
      if (held?.record.status === 'deleted') {
        this.files.docs.delete(id);
        removed++;
      } else if (held?.record.status === 'rejected') {
        held.record.objectPurgedAt = now;
        marked++;
      }
    }
    return Promise.resolve({ removed, marked });
  }

  findAbandoned(now: Date, limit: number): Promise<FileRecord[]> {
    const abandoned = this.all()
      .filter((f) => f.status === 'pending' && time(f.uploadExpiresAt) <= now.getTime())
      .sort((a, b) => time(a.uploadExpiresAt) - time(b.uploadExpiresAt));
    return Promise.resolve(abandoned.slice(0, limit));
  }

  findByIds(ids: readonly string[]): Promise<FileRecord[]> {
    return Promise.resolve(this.all().filter((f) => ids.includes(f.id)));
  }

  findReadyInKeyRange(
    after: string | null,
    upTo: string | null,
    limit: number,
  ): Promise<FileRecord[]> {
    const inRange = this.all()
      .filter(
        (f) =>
          f.status === 'ready' &&
          (after === null || byBytes(f.storageKey, after) > 0) &&
          (upTo === null || byBytes(f.storageKey, upTo) <= 0),
      )
      .sort((a, b) => byBytes(a.storageKey, b.storageKey));
    return Promise.resolve(inRange.slice(0, limit));
  }

  flagObjectMissing(id: string, _now: Date, fence?: WriteFence): Promise<boolean> {
    const applies = this.ledger.fenced(`lifecycle.flagObjectMissing:${id}`, fence);
    if (!applies || this.files.docs.get(id)?.record.status !== 'ready' || this.missing.has(id)) {
      return Promise.resolve(false);
    }
    this.missing.add(id);
    return Promise.resolve(true);
  }
}

export interface FakeSession {
  id: string;
  status: 'active' | 'closed' | 'expired';
  expiresAt: Date;
  filesPurgedAt: Date | null;
}

export interface FakeSessionEvent {
  sessionId: string;
  type: string;
  data: Record<string, unknown>;
}

const ended = (s: FakeSession): boolean => s.status === 'closed' || s.status === 'expired';

export class InMemorySessionLifecycle extends SessionLifecycleRepository {
  readonly sessions = new Map<string, FakeSession>();
  readonly events: FakeSessionEvent[] = [];

  constructor(private readonly ledger: WriteLedger) {
    super();
  }

  /** A session as stored (ids sort as they were made: pass `id` to place one). */
  add(session: Partial<FakeSession> = {}): FakeSession {
    const stored: FakeSession = {
      id: newPublicId(),
      status: 'active',
      expiresAt: new Date(Date.now() + 3_600_000),
      filesPurgedAt: null,
      ...session,
    };
    this.sessions.set(stored.id, stored);
    return stored;
  }

  typesOf(sessionId: string): string[] {
    return this.events.filter((e) => e.sessionId === sessionId).map((e) => e.type);
  }

  expireDue(now: Date, limit: number, fence?: WriteFence): Promise<string[]> {
    if (!this.ledger.fenced('sessions.expireDue', fence)) return Promise.resolve([]);
    const due = [...this.sessions.values()]
      .filter((s) => s.status === 'active' && s.expiresAt <= now)
      .sort((a, b) => time(a.expiresAt) - time(b.expiresAt))
      .slice(0, limit);
    for (const s of due) {
      s.status = 'expired';
      this.events.push({
        sessionId: s.id,
        type: 'session.expired',
        data: { expiresAt: s.expiresAt.toISOString() },
      });
    }
    return Promise.resolve(due.map((s) => s.id));
  }

  findEnded(ids: readonly string[]): Promise<string[]> {
    return Promise.resolve(
      ids.filter((id) => {
        const s = this.sessions.get(id);
        return s !== undefined && ended(s);
      }),
    );
  }

  findEndedUnpurged(limit: number, afterId: string | null): Promise<string[]> {
    const ids = [...this.sessions.values()]
      .filter((s) => ended(s) && s.filesPurgedAt === null)
      .map((s) => s.id)
      .filter((id) => afterId === null || byBytes(id, afterId) > 0)
      .sort(byBytes);
    return Promise.resolve(ids.slice(0, limit));
  }

  markFilesPurged(
    id: string,
    now: Date,
    purged: { files: number },
    fence?: WriteFence,
  ): Promise<boolean> {
    const applies = this.ledger.fenced(`sessions.markFilesPurged:${id}`, fence);
    const s = this.sessions.get(id);
    if (!applies || s === undefined || !ended(s) || s.filesPurgedAt !== null)
      return Promise.resolve(false);
    s.filesPurgedAt = now;
    this.events.push({ sessionId: id, type: 'session.purged', data: { files: purged.files } });
    return Promise.resolve(true);
  }

  reopenPurge(id: string, fence?: WriteFence): Promise<boolean> {
    const applies = this.ledger.fenced(`sessions.reopenPurge:${id}`, fence);
    const s = this.sessions.get(id);
    if (!applies || s === undefined || !ended(s) || s.filesPurgedAt === null) {
      return Promise.resolve(false);
    }
    s.filesPurgedAt = null;
    return Promise.resolve(true);
  }

  findPrunable(purgedBefore: Date, limit: number): Promise<string[]> {
    const ids = [...this.sessions.values()]
      .filter((s) => ended(s) && s.filesPurgedAt !== null && s.filesPurgedAt <= purgedBefore)
      .sort((a, b) => time(a.filesPurgedAt) - time(b.filesPurgedAt))
      .map((s) => s.id);
    return Promise.resolve(ids.slice(0, limit));
  }

  prune(id: string, purgedBefore: Date, fence?: WriteFence): Promise<boolean> {
    const applies = this.ledger.fenced(`sessions.prune:${id}`, fence);
    const s = this.sessions.get(id);
    if (
      !applies ||
      s === undefined ||
      !ended(s) ||
      s.filesPurgedAt === null ||
      s.filesPurgedAt > purgedBefore
    ) {
      return Promise.resolve(false);
    }
    for (let i = this.events.length - 1; i >= 0; i--) {
      if (this.events[i]?.sessionId === id) this.events.splice(i, 1);
    }
    this.sessions.delete(id);
    return Promise.resolve(true);
  }
}

/** What a fence check throws once the fake lease is lost. */
export class FakeLeaseLostError extends Error {
  constructor() {
    super('lease lost (fake)');
    this.name = 'FakeLeaseLostError';
  }
}

/**
 * A FenceGuard (apps/worker/src/jobs/lifecycle-job.ts) that passes `allowed` checks, then throws
 * on every one after (the lease lost for good). Each passed check is noted in the ledger, so
 * `ledger.unguarded` names any write no check preceded; `writesAtLoss` is how many writes the
 * ledger held when the first check failed (nothing may follow). beforeWrite() is such a check,
 * then gives `notAfter` as the write's deadline (an hour from the guard's making unless set):
 * move `ledger.serverNow` past it to make every write arrive late, as from a worker paused
 * between its check and the socket.
 */
export class FakeGuard {
  readonly fence = 1;
  checks = 0;
  writesAtLoss: number | null = null;
  notAfter = new Date(Date.now() + 3_600_000);

  constructor(
    private readonly ledger: WriteLedger,
    private readonly allowed = Number.POSITIVE_INFINITY,
  ) {}

  check(): void {
    if (this.checks >= this.allowed) {
      this.writesAtLoss ??= this.ledger.writes.length;
      throw new FakeLeaseLostError();
    }
    this.checks++;
    this.ledger.checkPassed();
  }

  beforeWrite(): WriteFence {
    this.check();
    return { notAfter: this.notAfter };
  }

  /** True when the lease was lost and nothing was written after. */
  wroteNothingAfterLoss(): boolean {
    return this.writesAtLoss === null || this.writesAtLoss === this.ledger.writes.length;
  }
}

/**
 * From now on every write fenced by `guard` reaches the database at its deadline, too late: as
 * from a worker paused between each check and its write. The guard's checks still pass.
 */
export function writesArriveLate(ledger: WriteLedger, guard: FakeGuard): void {
  ledger.serverNow = () => guard.notAfter.getTime();
}

export interface LifecycleWorld extends FilesWorld {
  lifecycle: InMemoryFileLifecycle;
  sessions: InMemorySessionLifecycle;
}

/** The file fakes plus the lifecycle repositories over the same records and ledger. */
export function lifecycleWorld(options: { verifyLeaseSeconds?: number } = {}): LifecycleWorld {
  const world = filesWorld(options);
  return {
    ...world,
    lifecycle: new InMemoryFileLifecycle(world.files, world.ledger),
    sessions: new InMemorySessionLifecycle(world.ledger),
  };
}

/**
 * A file of `sessionId` in `status` as stored (written straight into the fake, no ledger entry):
 * its object is in storage unless `object: false`, a pending multipart file has its upload open.
 */
export function fileIn(
  world: LifecycleWorld,
  sessionId: string,
  status: FileRecord['status'],
  overrides: Partial<NewFile & FileRecord> & { object?: boolean } = {},
): FileRecord {
  const { object = true, ...fields } = overrides;
  const id = fields.id ?? newPublicId();
  const now = new Date();
  const record: FileRecord = {
    id,
    sessionId,
    ownerId: 'owner-1',
    uploadedBy: { kind: 'user', id: 'owner-1' },
    name: 'photo.png',
    contentType: 'image/png',
    size: 100,
    sha256: 'a'.repeat(64),
    storageKey: storageKeyOf(sessionId, id),
    status,
    upload: { mode: 'single' },
    uploadExpiresAt: new Date(now.getTime() + 86_400_000),
    uploadUrlExpiresAt: new Date(now.getTime() + 600_000),
    quotaDay: now.toISOString().slice(0, 10),
    downloads: 0,
    maxDownloads: 10,
    createdAt: now,
    readyAt: status === 'ready' ? now : null,
    rejectedReason: status === 'rejected' ? 'content: test' : null,
    deletedAt: status === 'deleted' ? now : null,
    objectPurgedAt: null,
    verifyAttempts: 0,
    ...fields,
  };
  world.files.docs.set(id, { record, verifyLeaseUntil: null });
  if (object) world.storage.put(record.storageKey, Buffer.alloc(record.size, 1));
  if (record.upload.mode === 'multipart' && status === 'pending') {
    world.storage.openUpload(record.storageKey, record.upload.uploadId);
  }
  return { ...record };
}

/**
 * Kills a run at every write it makes, one crash point after the other: for n = 0, 1, 2… a fresh
 * world (`build`) runs the job under a guard that loses its lease after n checks, then again
 * under a guard that keeps it (the next run, on any replica). After each pair `settled(world)`
 * must hold, the crashed run must have written nothing once its lease was lost, every write of
 * both runs must have come right after a check, and every database write that takes a fence must
 * have carried one. Ends with the first n the run survives; the
 * number of crash points tried. `between` runs between the two (time passing: leases expiring).
 */
export async function atEveryCrashPoint<W extends { ledger: WriteLedger }>(
  build: () => W | Promise<W>,
  run: (world: W, guard: FakeGuard) => Promise<unknown>,
  settled: (world: W, crashedAt: number) => void | Promise<void>,
  between: (world: W) => void = () => undefined,
): Promise<number> {
  for (let allowed = 0; ; allowed++) {
    const world = await build();
    world.ledger.clear();
    const guard = new FakeGuard(world.ledger, allowed);
    let crashed = false;
    try {
      await run(world, guard);
    } catch (err) {
      if (!(err instanceof FakeLeaseLostError)) throw err;
      crashed = true;
    }
    if (!guard.wroteNothingAfterLoss()) {
      throw new Error(`crash point ${String(allowed)}: a write followed the lost lease`);
    }
    between(world);
    await run(world, new FakeGuard(world.ledger));
    if (world.ledger.unguarded.length > 0) {
      throw new Error(`unguarded writes: ${world.ledger.unguarded.join(' ')}`);
    }
    if (world.ledger.unfenced.length > 0) {
      throw new Error(`writes without a fence: ${world.ledger.unfenced.join(' ')}`);
    }
    await settled(world, allowed);
    if (!crashed) return allowed + 1;
  }
}

export { WriteLedger };
