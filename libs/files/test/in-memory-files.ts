// In-memory stand-ins for the file lifecycle's collaborators, for specs that must interleave
// concurrent steps exactly (the e2e specs run the same paths against MongoDB and S3). Each keeps
// the contract of the real one where the specs depend on it: conditional transitions, leases,
// storage that answers null for a missing object.
import { createHash } from 'node:crypto';
import { newPublicId } from '@app/common';
import type { AppConfig } from '@app/config';
import {
  FileRepository,
  QuotaRepository,
  SessionFilesRepository,
  type DownloadGrant,
  type FilePage,
  type FileRecord,
  type FileSlotResult,
  type FileStatus,
  type NewFile,
  type QuotaUsage,
  type SessionEventInput,
  type WriteFence,
} from '@app/database';
import {
  type CompletedPart,
  type DeleteObjectsResult,
  type ListedUpload,
  type ObjectListing,
  type StorageService,
  type StoredObjectInfo,
  type StoredPart,
  type UploadListing,
} from '@app/storage';
import { ContentTypePolicy } from '../src/content-type.js';
import { FileLifecycleMetrics } from '../src/file-lifecycle-metrics.js';
import { FileReservations } from '../src/file-reservations.js';
import { FileVerdictService } from '../src/file-verdict.service.js';
import { FileVerifier } from '../src/file-verifier.js';
import { hexSha256ToBase64 } from '../src/rejection.js';

/**
 * Every write the fakes were asked to make (storage or database, whatever its effect), in order,
 * and whether a fence check came before it: `unguarded` lists the writes no check preceded since
 * the write before. A job's spec clears it once its fixtures are written.
 *
 * It also stands for the database's clock: a write that takes a WriteFence is judged by
 * `serverNow()` (as MongoDB judges `$$NOW`) and changes nothing at or past `fence.notAfter`;
 * `unfenced` lists the writes that could have carried a fence and came without one.
 */
export class WriteLedger {
  readonly writes: string[] = [];
  readonly unguarded: string[] = [];
  readonly unfenced: string[] = [];
  /** The database's clock (ms); a spec moves it to make writes arrive late. */
  serverNow: () => number = Date.now;
  private checked = false;
  /** A guarded transition won: what it owes (removal, give-backs, event) follows unchecked. */
  private owed = false;

  /** A fence check passed: the next write is guarded. */
  checkPassed(): void {
    this.checked = true;
    this.owed = false;
  }

  record(write: string): void {
    this.writes.push(write);
    if (!this.checked && !this.owed) this.unguarded.push(write);
    this.checked = false;
  }

  /**
   * Records a write that takes a fence; whether it may apply: false once the server's clock has
   * reached the fence's deadline (the write then matches nothing, like MongoDB's `$expr` on
   * `$$NOW`). No fence: it applies, and is listed in `unfenced`.
   */
  fenced(write: string, fence: WriteFence | undefined): boolean {
    this.record(write);
    if (fence === undefined) {
      this.unfenced.push(write);
      return true;
    }
    return this.serverNow() < fence.notAfter.getTime();
  }

  /** The write just recorded was a decision that won (a transition that applied). */
  decisionWon(): void {
    this.owed = this.unguarded.at(-1) !== this.writes.at(-1);
  }

  clear(): void {
    this.writes.length = 0;
    this.unguarded.length = 0;
    this.unfenced.length = 0;
    this.checked = false;
    this.owed = false;
  }
}

interface Held {
  record: FileRecord;
  verifyLeaseUntil: Date | null;
}

export class InMemoryFileRepository extends FileRepository {
  readonly docs = new Map<string, Held>();

  constructor(readonly ledger = new WriteLedger()) {
    super();
  }

  create(file: NewFile): Promise<FileRecord> {
    this.ledger.record(`files.create:${file.id}`);
    const record: FileRecord = {
      ...file,
      status: 'pending',
      downloads: 0,
      readyAt: null,
      rejectedReason: null,
      deletedAt: null,
      objectPurgedAt: null,
      verifyAttempts: 0,
    };
    this.docs.set(file.id, { record, verifyLeaseUntil: null });
    return Promise.resolve({ ...record });
  }

  findById(id: string): Promise<FileRecord | null> {
    const held = this.docs.get(id);
    return Promise.resolve(held === undefined ? null : { ...held.record });
  }

  listBySession(): Promise<FilePage> {
    return Promise.reject(new Error('not used by these specs'));
  }

  transition(
    id: string,
    from: FileStatus[],
    to: FileStatus,
    now: Date,
    detail: { rejectedReason?: string } = {},
    fence?: WriteFence,
  ): Promise<FileRecord | null> {
    if (!this.ledger.fenced(`files.transition:${id}:${to}`, fence)) return Promise.resolve(null);
    const held = this.docs.get(id);
    if (held === undefined || !from.includes(held.record.status)) return Promise.resolve(null);
    held.record = {
      ...held.record,
      status: to,
      readyAt: to === 'ready' ? now : held.record.readyAt,
      rejectedReason:
        to === 'rejected' ? (detail.rejectedReason ?? null) : held.record.rejectedReason,
      deletedAt: to === 'deleted' ? now : held.record.deletedAt,
    };
    held.verifyLeaseUntil = null;
    this.ledger.decisionWon();
    return Promise.resolve({ ...held.record });
  }

  grantDownload(): Promise<DownloadGrant> {
    return Promise.reject(new Error('not used by these specs'));
  }

  noteUploadUrl(id: string, expiresAt: Date): Promise<FileRecord | null> {
    this.ledger.record(`files.noteUploadUrl:${id}`);
    const held = this.docs.get(id);
    if (held?.record.status !== 'pending') return Promise.resolve(null);
    const before = held.record.uploadUrlExpiresAt;
    if (before === null || before < expiresAt) held.record.uploadUrlExpiresAt = expiresAt;
    return Promise.resolve({ ...held.record });
  }

  leaseVerification(now: Date, leaseMs: number, fence?: WriteFence): Promise<FileRecord | null> {
    if (!this.ledger.fenced('files.leaseVerification', fence)) return Promise.resolve(null);
    for (const held of this.docs.values()) {
      if (held.record.status !== 'verifying') continue;
      if (held.verifyLeaseUntil !== null && held.verifyLeaseUntil > now) continue;
      held.verifyLeaseUntil = new Date(now.getTime() + leaseMs);
      held.record.verifyAttempts++;
      return Promise.resolve({ ...held.record });
    }
    return Promise.resolve(null);
  }

  renewVerification(
    id: string,
    heldUntil: Date,
    until: Date,
    fence?: WriteFence,
  ): Promise<boolean> {
    const applies = this.ledger.fenced(`files.renewVerification:${id}`, fence);
    const held = this.docs.get(id);
    if (
      !applies ||
      held?.record.status !== 'verifying' ||
      held.verifyLeaseUntil?.getTime() !== heldUntil.getTime()
    ) {
      return Promise.resolve(false);
    }
    held.verifyLeaseUntil = until;
    return Promise.resolve(true);
  }

  releaseVerification(id: string, heldUntil: Date, fence?: WriteFence): Promise<void> {
    const applies = this.ledger.fenced(`files.releaseVerification:${id}`, fence);
    const held = this.docs.get(id);
    if (
      applies &&
      held?.record.status === 'verifying' &&
      held.verifyLeaseUntil?.getTime() === heldUntil.getTime()
    ) {
      held.verifyLeaseUntil = null;
      held.record.verifyAttempts = Math.max(0, held.record.verifyAttempts - 1);
    }
    return Promise.resolve();
  }

  /** The lease a verifier holds on the file (null = free). */
  leaseOf(id: string): Date | null {
    return this.docs.get(id)?.verifyLeaseUntil ?? null;
  }
}

/** Session reservations as counters per session; file events in order. */
export class RecordingSessionFiles extends SessionFilesRepository {
  readonly held = new Map<string, { files: number; bytes: number }>();
  readonly events: { sessionId: string; event: SessionEventInput }[] = [];
  /** Set to make release() fail (the database down at the wrong moment). */
  failRelease: Error | null = null;

  constructor(readonly ledger = new WriteLedger()) {
    super();
  }

  reserve(sessionId: string, size: number): Promise<FileSlotResult> {
    this.ledger.record(`sessionFiles.reserve:${sessionId}`);
    const now = this.held.get(sessionId) ?? { files: 0, bytes: 0 };
    this.held.set(sessionId, { files: now.files + 1, bytes: now.bytes + size });
    return Promise.resolve({ ok: true });
  }

  release(sessionId: string, size: number): Promise<void> {
    this.ledger.record(`sessionFiles.release:${sessionId}`);
    if (this.failRelease !== null) return Promise.reject(this.failRelease);
    const now = this.held.get(sessionId) ?? { files: 0, bytes: 0 };
    if (now.files >= 1 && now.bytes >= size) {
      this.held.set(sessionId, { files: now.files - 1, bytes: now.bytes - size });
    }
    return Promise.resolve();
  }

  recordEvent(sessionId: string, _now: Date, event: SessionEventInput): Promise<void> {
    this.ledger.record(`sessionFiles.recordEvent:${sessionId}:${event.type}`);
    this.events.push({ sessionId, event });
    return Promise.resolve();
  }

  commitEvent(sessionId: string, now: Date, event: SessionEventInput): Promise<void> {
    return this.recordEvent(sessionId, now, event);
  }

  typesOf(sessionId: string): string[] {
    return this.events.filter((e) => e.sessionId === sessionId).map((e) => e.event.type);
  }
}

/** Daily quota usage per owner and day. */
export class RecordingQuotas extends QuotaRepository {
  readonly used = new Map<string, { files: number; bytes: number }>();
  failRelease: Error | null = null;

  constructor(readonly ledger = new WriteLedger()) {
    super();
  }

  reserve(ownerId: string, day: string, files: number, bytes: number): Promise<boolean> {
    this.ledger.record(`quotas.reserve:${ownerId}`);
    const key = `${ownerId}:${day}`;
    const now = this.used.get(key) ?? { files: 0, bytes: 0 };
    this.used.set(key, { files: now.files + files, bytes: now.bytes + bytes });
    return Promise.resolve(true);
  }

  release(ownerId: string, day: string, files: number, bytes: number): Promise<void> {
    this.ledger.record(`quotas.release:${ownerId}`);
    if (this.failRelease !== null) return Promise.reject(this.failRelease);
    const key = `${ownerId}:${day}`;
    const now = this.used.get(key) ?? { files: 0, bytes: 0 };
    if (now.files >= files && now.bytes >= bytes) {
      this.used.set(key, { files: now.files - files, bytes: now.bytes - bytes });
    }
    return Promise.resolve();
  }

  usage(ownerId: string, day: string): Promise<QuotaUsage> {
    return Promise.resolve({
      day,
      ...(this.used.get(`${ownerId}:${day}`) ?? { files: 0, bytes: 0 }),
    });
  }
}

export type StorageOp =
  | 'headObject'
  | 'getObjectRange'
  | 'readObjectSha256'
  | 'deleteObject'
  | 'deleteObjects'
  | 'listObjects'
  | 'abortMultipartUpload'
  | 'listMultipartUploads'
  | 'listParts'
  | 'completeMultipartUpload';

const WRITES: ReadonlySet<StorageOp> = new Set([
  'deleteObject',
  'deleteObjects',
  'abortMultipartUpload',
  'completeMultipartUpload',
]);

/** Storage lists keys in binary (UTF-8 byte) order. */
const byKey = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Objects in a map, open multipart uploads in another. `hook(op, key)` runs at the start of each
 * call (a test awaits a gate there, or throws); deleteObject also awaits `afterDelete(key)` once
 * the object is gone, so a test can hold a caller between its delete and whatever it does next.
 * Listings page like S3's: in key order, `pageSize` entries per page.
 */
export class InMemoryStorage {
  readonly objects = new Map<string, Buffer>();
  /** lastModified per key (put() sets it; objects set directly read as just written). */
  readonly modified = new Map<string, Date>();
  /** Open multipart uploads by upload id. */
  readonly uploads = new Map<string, ListedUpload>();
  readonly calls: { op: StorageOp; key: string }[] = [];
  /** Keys DeleteObjects reports as failed (and keeps). */
  readonly failDeletes = new Set<string>();
  pageSize = 1000;
  hook: (op: StorageOp, key: string) => Promise<void> = () => Promise.resolve();
  afterDelete: (key: string) => Promise<void> = () => Promise.resolve();
  completeMultipart: (key: string, parts: readonly CompletedPart[]) => Promise<void> = () =>
    Promise.resolve();
  parts: StoredPart[] = [];

  constructor(readonly ledger = new WriteLedger()) {}

  /** This fake where the product wants the real service. */
  asService(): StorageService {
    return this as unknown as StorageService;
  }

  /** Stores an object directly (a fixture, or a client's PUT), last modified at `at`. */
  put(key: string, bytes: Buffer, at = new Date()): void {
    this.objects.set(key, bytes);
    this.modified.set(key, at);
  }

  /** Opens a multipart upload directly (a fixture, or a declare's CreateMultipartUpload). */
  openUpload(key: string, uploadId: string, initiated = new Date()): void {
    this.uploads.set(uploadId, { key, uploadId, initiated });
  }

  /** How many requests of `op` were made. */
  count(op: StorageOp): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  async headObject(key: string): Promise<StoredObjectInfo | null> {
    await this.enter('headObject', key);
    const bytes = this.objects.get(key);
    if (bytes === undefined) return null;
    return {
      size: bytes.length,
      etag: '"etag"',
      checksumSha256: hexSha256ToBase64(createHash('sha256').update(bytes).digest('hex')),
      contentType: undefined,
      lastModified: this.modified.get(key) ?? new Date(),
    };
  }

  async getObjectRange(key: string, start: number, endInclusive: number): Promise<Buffer | null> {
    await this.enter('getObjectRange', key);
    return this.objects.get(key)?.subarray(start, endInclusive + 1) ?? null;
  }

  async readObjectSha256(key: string): Promise<{ sha256Hex: string; size: number } | null> {
    await this.enter('readObjectSha256', key);
    const bytes = this.objects.get(key);
    if (bytes === undefined) return null;
    return { sha256Hex: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  }

  async deleteObject(key: string): Promise<void> {
    await this.enter('deleteObject', key);
    this.remove(key);
    await this.afterDelete(key);
  }

  /** One request whatever the number of keys (the service batches by 1000 itself). */
  async deleteObjects(keys: readonly string[]): Promise<DeleteObjectsResult> {
    await this.enter('deleteObjects', keys.join(','));
    const result: DeleteObjectsResult = { deleted: [], failed: [] };
    for (const key of keys) {
      if (this.failDeletes.has(key)) {
        result.failed.push({ key, code: 'InternalError' });
      } else {
        this.remove(key);
        result.deleted.push(key);
      }
    }
    return result;
  }

  async listObjects(
    options: { prefix?: string; nextToken?: string; maxKeys?: number } = {},
  ): Promise<ObjectListing> {
    await this.enter('listObjects', options.prefix ?? '');
    const after = options.nextToken;
    const keys = [...this.objects.keys()]
      .filter(
        (k) => k.startsWith(options.prefix ?? '') && (after === undefined || byKey(k, after) > 0),
      )
      .sort(byKey);
    const page = keys.slice(0, options.maxKeys ?? this.pageSize);
    return {
      objects: page.map((key) => ({
        key,
        size: this.objects.get(key)?.length ?? 0,
        lastModified: this.modified.get(key) ?? new Date(),
      })),
      nextToken: page.length < keys.length ? page.at(-1) : undefined,
    };
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.enter('abortMultipartUpload', key);
    if (this.uploads.get(uploadId)?.key === key) this.uploads.delete(uploadId);
  }

  async listMultipartUploads(
    options: { prefix?: string; next?: UploadListing['next']; maxUploads?: number } = {},
  ): Promise<UploadListing> {
    await this.enter('listMultipartUploads', options.prefix ?? '');
    const { next } = options;
    const after = (u: ListedUpload): boolean =>
      next === undefined ||
      byKey(u.key, next.keyMarker) > 0 ||
      (u.key === next.keyMarker && u.uploadId > next.uploadIdMarker);
    const uploads = [...this.uploads.values()]
      .filter((u) => u.key.startsWith(options.prefix ?? '') && after(u))
      .sort((a, b) => byKey(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : 1));
    const page = uploads.slice(0, options.maxUploads ?? this.pageSize);
    const last = page.at(-1);
    return {
      uploads: page.map((u) => ({ ...u })),
      next:
        page.length < uploads.length && last !== undefined
          ? { keyMarker: last.key, uploadIdMarker: last.uploadId }
          : undefined,
    };
  }

  async listParts(key: string): Promise<StoredPart[]> {
    await this.enter('listParts', key);
    return this.parts;
  }

  async completeMultipartUpload(input: {
    key: string;
    uploadId: string;
    parts: readonly CompletedPart[];
  }): Promise<{ etag: string }> {
    await this.enter('completeMultipartUpload', input.key);
    await this.completeMultipart(input.key, input.parts);
    return { etag: '"done"' };
  }

  private remove(key: string): void {
    this.objects.delete(key);
    this.modified.delete(key);
  }

  private async enter(op: StorageOp, key: string): Promise<void> {
    this.calls.push({ op, key });
    if (WRITES.has(op)) this.ledger.record(`storage.${op}:${key}`);
    await this.hook(op, key);
  }
}

/** Resolves when `open()` is called: a gate a fake's hook awaits. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** A pending file of a fresh session whose object `bytes` storage holds (if given). */
export async function storedFile(
  world: FilesWorld,
  bytes: Buffer,
  overrides: Partial<NewFile> = {},
): Promise<FileRecord> {
  const id = newPublicId();
  const sessionId = overrides.sessionId ?? newPublicId();
  const now = new Date();
  const file = await world.files.create({
    id,
    sessionId,
    ownerId: 'owner-1',
    uploadedBy: { kind: 'user', id: 'owner-1' },
    name: 'photo.png',
    contentType: 'image/png',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    storageKey: `sessions/${sessionId}/files/${id}`,
    upload: { mode: 'single' },
    uploadExpiresAt: new Date(now.getTime() + 86_400_000),
    uploadUrlExpiresAt: new Date(now.getTime() + 600_000),
    quotaDay: now.toISOString().slice(0, 10),
    maxDownloads: 10,
    createdAt: now,
    ...overrides,
  });
  await world.sessionFiles.reserve(file.sessionId, file.size);
  await world.quotas.reserve(file.ownerId, file.quotaDay, 1, file.size);
  world.storage.put(file.storageKey, bytes);
  if (file.upload.mode === 'multipart' && file.status === 'pending') {
    world.storage.openUpload(file.storageKey, file.upload.uploadId);
  }
  return file;
}

export interface FilesWorld {
  /** Every write any of these fakes was asked for. */
  ledger: WriteLedger;
  files: InMemoryFileRepository;
  sessionFiles: RecordingSessionFiles;
  quotas: RecordingQuotas;
  storage: InMemoryStorage;
  reservations: FileReservations;
  verdicts: FileVerdictService;
  verifier: FileVerifier;
}

/** The lifecycle services over fresh fakes; `verifyLeaseSeconds` for the verifier's lease. */
export function filesWorld(options: { verifyLeaseSeconds?: number } = {}): FilesWorld {
  const ledger = new WriteLedger();
  const files = new InMemoryFileRepository(ledger);
  const sessionFiles = new RecordingSessionFiles(ledger);
  const quotas = new RecordingQuotas(ledger);
  const storage = new InMemoryStorage(ledger);
  const reservations = new FileReservations(sessionFiles, quotas);
  const verdicts = new FileVerdictService(
    files,
    sessionFiles,
    reservations,
    storage.asService(),
    new FileLifecycleMetrics(),
    new ContentTypePolicy([], ['application/x-msdownload']),
  );
  const config = { files: { verifyLeaseSeconds: options.verifyLeaseSeconds ?? 300 } };
  const verifier = new FileVerifier(
    config as unknown as AppConfig,
    files,
    storage.asService(),
    verdicts,
  );
  return { ledger, files, sessionFiles, quotas, storage, reservations, verdicts, verifier };
}
