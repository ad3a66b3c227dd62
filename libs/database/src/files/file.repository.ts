import type { WriteFence } from '../lifecycle/write-fence.js';

export type FileStatus = 'pending' | 'verifying' | 'ready' | 'rejected' | 'deleted';

/** Who declared the file. */
export interface FileUploader {
  kind: 'user' | 'device';
  id: string;
}

export interface SingleUploadPlan {
  mode: 'single';
}

export interface MultipartUploadPlan {
  mode: 'multipart';
  /** Storage's multipart upload id (all resumable state lives here and in storage). */
  uploadId: string;
  partSize: number;
  partCount: number;
}

export type UploadPlan = SingleUploadPlan | MultipartUploadPlan;

export interface FileRecord {
  id: string;
  sessionId: string;
  /** The session's owner: whose daily quota the file is charged to. */
  ownerId: string;
  uploadedBy: FileUploader;
  /** Sanitized name, as shown. */
  name: string;
  contentType: string;
  size: number;
  /** Lower-case hex SHA-256 the client declared. */
  sha256: string;
  /** Built from ids only, never from the name. */
  storageKey: string;
  status: FileStatus;
  upload: UploadPlan;
  /** The upload must complete by then (UPLOAD_WINDOW_SECONDS); the worker sweeps it after. */
  uploadExpiresAt: Date;
  /**
   * When the last upload URL issued for the file (its single PUT, or any part URL) expires; null
   * when none was recorded (files from before this field: their URLs never outlived
   * uploadExpiresAt). Until then a client can still write to its storage key.
   */
  uploadUrlExpiresAt: Date | null;
  /** UTC day (YYYY-MM-DD) whose quota the reservation was charged to. */
  quotaDay: string;
  downloads: number;
  maxDownloads: number;
  createdAt: Date;
  readyAt: Date | null;
  /** Why it was rejected (size, checksum, content…); null otherwise. */
  rejectedReason: string | null;
  deletedAt: Date | null;
  /**
   * Rejected or deleted: when the worker, after the last upload URL expired, removed the object
   * (and any multipart upload) once more, so that no write through a still valid URL outlives the
   * record; null until then.
   */
  objectPurgedAt: Date | null;
  /** Verification leases taken so far (read-backs attempted, crashed ones included). */
  verifyAttempts: number;
}

export type NewFile = Omit<
  FileRecord,
  | 'status'
  | 'downloads'
  | 'readyAt'
  | 'rejectedReason'
  | 'deletedAt'
  | 'objectPurgedAt'
  | 'verifyAttempts'
>;

export interface FilePage {
  items: FileRecord[];
  nextCursor: string | null;
}

export type DownloadGrant =
  | { ok: true; file: FileRecord }
  | { ok: false; reason: 'not_found' | 'not_ready' | 'limit_reached' };

/**
 * Files (collection `files`). State changes are single conditional updates; the session's
 * counters and events are kept by the caller through the session-side methods.
 *
 * The writes a worker job makes (the transition of a verdict, the verification leases) take an
 * optional `fence` as their last argument: given, the statement carries the deadline in its
 * filter and changes nothing once the server's clock reached `fence.notAfter` (it then answers as
 * if nothing had matched). The API passes none.
 */
export abstract class FileRepository {
  /** Inserts a `pending` file. */
  abstract create(file: NewFile): Promise<FileRecord>;

  abstract findById(id: string): Promise<FileRecord | null>;

  /**
   * A session's files, oldest first (createdAt, then id), `statuses` only (devices: ready; the
   * owner: everything but deleted). Opaque keyset cursor; a cursor that does not decode throws
   * AppError VALIDATION_FAILED (field cursor).
   */
  abstract listBySession(
    sessionId: string,
    statuses: FileStatus[],
    limit: number,
    cursor: string | null,
  ): Promise<FilePage>;

  /**
   * Moves a file from one of `from` to `to` in one conditional update, setting `readyAt` (ready),
   * `rejectedReason` (rejected) or `deletedAt` (deleted), and freeing any verification lease.
   * Null when nothing matched (unknown id, not in one of `from`, or past the fence): so of two
   * concurrent completes exactly one wins.
   */
  abstract transition(
    id: string,
    from: FileStatus[],
    to: FileStatus,
    now: Date,
    detail?: { rejectedReason?: string },
    fence?: WriteFence,
  ): Promise<FileRecord | null>;

  /**
   * One atomic conditional increment of `downloads` (status ready, downloads < the file's own
   * maxDownloads); the granted record carries the new count. Refused: `not_found` (unknown id),
   * `not_ready` (any other status, deleted included) or `limit_reached`; nothing counted then.
   */
  abstract grantDownload(id: string): Promise<DownloadGrant>;

  /**
   * Records an upload URL issued for a `pending` file (a part URL) that expires at `expiresAt`:
   * uploadUrlExpiresAt becomes the later of the two. Null when the file is unknown or no longer
   * pending (nothing recorded: the caller must not hand the URL out).
   */
  abstract noteUploadUrl(id: string, expiresAt: Date): Promise<FileRecord | null>;

  /**
   * For the verifier (any number of worker replicas): takes the lease of one `verifying` file
   * whose lease is free or expired at `now`, until `now + leaseMs` (never-leased files first),
   * and counts the attempt (verifyAttempts + 1, in the returned record). Null when there is none.
   * A lease is advisory: the verifier settles the file with `transition(id, ['verifying'], …)`,
   * which decides if an expired lease was taken over. Null past the fence too.
   */
  abstract leaseVerification(
    now: Date,
    leaseMs: number,
    fence?: WriteFence,
  ): Promise<FileRecord | null>;

  /**
   * Extends the lease a verifier holds (`heldUntil`, as leaseVerification or its last renewal set
   * it) to `until`. False when it no longer holds it (the file was settled, or the lease expired
   * and another verifier took it), or past the fence; nothing changes then.
   */
  abstract renewVerification(
    id: string,
    heldUntil: Date,
    until: Date,
    fence?: WriteFence,
  ): Promise<boolean>;

  /**
   * Frees the lease a verifier holds (`heldUntil`) and gives back the attempt it counted: the
   * verification could not run (storage unavailable), which says nothing about the file. No-op
   * when it no longer holds the lease, or past the fence.
   */
  abstract releaseVerification(id: string, heldUntil: Date, fence?: WriteFence): Promise<void>;
}
