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
} from '@app/database';
import {
  type CompletedPart,
  type StorageService,
  type StoredObjectInfo,
  type StoredPart,
} from '@app/storage';
import { ContentTypePolicy } from '../src/content-type.js';
import { FileLifecycleMetrics } from '../src/file-lifecycle-metrics.js';
import { FileReservations } from '../src/file-reservations.js';
import { FileVerdictService } from '../src/file-verdict.service.js';
import { FileVerifier } from '../src/file-verifier.js';
import { hexSha256ToBase64 } from '../src/rejection.js';

interface Held {
  record: FileRecord;
  verifyLeaseUntil: Date | null;
}

export class InMemoryFileRepository extends FileRepository {
  readonly docs = new Map<string, Held>();

  create(file: NewFile): Promise<FileRecord> {
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
  ): Promise<FileRecord | null> {
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
    return Promise.resolve({ ...held.record });
  }

  grantDownload(): Promise<DownloadGrant> {
    return Promise.reject(new Error('not used by these specs'));
  }

  noteUploadUrl(id: string, expiresAt: Date): Promise<FileRecord | null> {
    const held = this.docs.get(id);
    if (held?.record.status !== 'pending') return Promise.resolve(null);
    const before = held.record.uploadUrlExpiresAt;
    if (before === null || before < expiresAt) held.record.uploadUrlExpiresAt = expiresAt;
    return Promise.resolve({ ...held.record });
  }

  leaseVerification(now: Date, leaseMs: number): Promise<FileRecord | null> {
    for (const held of this.docs.values()) {
      if (held.record.status !== 'verifying') continue;
      if (held.verifyLeaseUntil !== null && held.verifyLeaseUntil > now) continue;
      held.verifyLeaseUntil = new Date(now.getTime() + leaseMs);
      held.record.verifyAttempts++;
      return Promise.resolve({ ...held.record });
    }
    return Promise.resolve(null);
  }

  renewVerification(id: string, heldUntil: Date, until: Date): Promise<boolean> {
    const held = this.docs.get(id);
    if (
      held?.record.status !== 'verifying' ||
      held.verifyLeaseUntil?.getTime() !== heldUntil.getTime()
    ) {
      return Promise.resolve(false);
    }
    held.verifyLeaseUntil = until;
    return Promise.resolve(true);
  }

  releaseVerification(id: string, heldUntil: Date): Promise<void> {
    const held = this.docs.get(id);
    if (
      held?.record.status === 'verifying' &&
      held.verifyLeaseUntil?.getTime() === heldUntil.getTime()
    ) {
      held.verifyLeaseUntil = null;
      held.record.verifyAttempts = Math.max(0, held.record.verifyAttempts - 1);
    }
    return Promise.resolve();
  }

  claimObjectPurge(): Promise<FileRecord | null> {
    return Promise.reject(new Error('not used by these specs'));
  }

  markObjectPurged(): Promise<void> {
    return Promise.reject(new Error('not used by these specs'));
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

  reserve(sessionId: string, size: number): Promise<FileSlotResult> {
    const now = this.held.get(sessionId) ?? { files: 0, bytes: 0 };
    this.held.set(sessionId, { files: now.files + 1, bytes: now.bytes + size });
    return Promise.resolve({ ok: true });
  }

  release(sessionId: string, size: number): Promise<void> {
    if (this.failRelease !== null) return Promise.reject(this.failRelease);
    const now = this.held.get(sessionId) ?? { files: 0, bytes: 0 };
    if (now.files >= 1 && now.bytes >= size) {
      this.held.set(sessionId, { files: now.files - 1, bytes: now.bytes - size });
    }
    return Promise.resolve();
  }

  recordEvent(sessionId: string, _now: Date, event: SessionEventInput): Promise<void> {
    this.events.push({ sessionId, event });
    return Promise.resolve();
  }

  typesOf(sessionId: string): string[] {
    return this.events.filter((e) => e.sessionId === sessionId).map((e) => e.event.type);
  }
}

/** Daily quota usage per owner and day. */
export class RecordingQuotas extends QuotaRepository {
  readonly used = new Map<string, { files: number; bytes: number }>();
  failRelease: Error | null = null;

  reserve(ownerId: string, day: string, files: number, bytes: number): Promise<boolean> {
    const key = `${ownerId}:${day}`;
    const now = this.used.get(key) ?? { files: 0, bytes: 0 };
    this.used.set(key, { files: now.files + files, bytes: now.bytes + bytes });
    return Promise.resolve(true);
  }

  release(ownerId: string, day: string, files: number, bytes: number): Promise<void> {
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
  | 'abortMultipartUpload'
  | 'listParts'
  | 'completeMultipartUpload';

/**
 * Objects in a map. `hook(op, key)` runs at the start of each call (a test awaits a gate there,
 * or throws); deleteObject also awaits `afterDelete(key)` once the object is gone, so a test can
 * hold a caller between its delete and whatever it does next.
 */
export class InMemoryStorage {
  readonly objects = new Map<string, Buffer>();
  readonly calls: { op: StorageOp; key: string }[] = [];
  hook: (op: StorageOp, key: string) => Promise<void> = () => Promise.resolve();
  afterDelete: (key: string) => Promise<void> = () => Promise.resolve();
  completeMultipart: (key: string, parts: readonly CompletedPart[]) => Promise<void> = () =>
    Promise.resolve();
  parts: StoredPart[] = [];

  /** This fake where the product wants the real service. */
  asService(): StorageService {
    return this as unknown as StorageService;
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
      lastModified: new Date(),
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
    this.objects.delete(key);
    await this.afterDelete(key);
  }

  async abortMultipartUpload(key: string): Promise<void> {
    await this.enter('abortMultipartUpload', key);
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

  private async enter(op: StorageOp, key: string): Promise<void> {
    this.calls.push({ op, key });
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
  world.storage.objects.set(file.storageKey, bytes);
  return file;
}

export interface FilesWorld {
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
  const files = new InMemoryFileRepository();
  const sessionFiles = new RecordingSessionFiles();
  const quotas = new RecordingQuotas();
  const storage = new InMemoryStorage();
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
  return { files, sessionFiles, quotas, storage, reservations, verdicts, verifier };
}
