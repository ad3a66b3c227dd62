import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { FileStatus, FileUploader } from './file.repository.js';

export const FILE_STATUSES: readonly FileStatus[] = [
  'pending',
  'verifying',
  'ready',
  'rejected',
  'deleted',
];
const UPLOADER_KINDS: FileUploader['kind'][] = ['user', 'device'];
const UPLOAD_MODES = ['single', 'multipart'] as const;

@Schema({ _id: false, id: false, versionKey: false })
export class FileUploaderDoc {
  @Prop({ type: String, required: true, enum: UPLOADER_KINDS })
  kind!: FileUploader['kind'];

  /** The user's id or the device's public id. */
  @Prop({ type: String, required: true })
  id!: string;
}
const FileUploaderSchema = SchemaFactory.createForClass(FileUploaderDoc);

/** The upload plan; the multipart fields are null for a single PUT. */
@Schema({ _id: false, id: false, versionKey: false })
export class FileUploadDoc {
  @Prop({ type: String, required: true, enum: UPLOAD_MODES })
  mode!: (typeof UPLOAD_MODES)[number];

  /** Storage's multipart upload id: with storage, all the state a resumed upload needs. */
  @Prop({ type: String, default: null })
  uploadId!: string | null;

  @Prop({ type: Number, default: null })
  partSize!: number | null;

  @Prop({ type: Number, default: null })
  partCount!: number | null;
}
const FileUploadSchema = SchemaFactory.createForClass(FileUploadDoc);

// Named StoredFile: `File` is a global class in Node's typings.
@Schema({ collection: 'files', versionKey: false })
export class StoredFile {
  /** The public id (newPublicId()): random, never an ObjectId. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  sessionId!: string;

  /** The session's owner, whose daily quota the file is charged to. */
  @Prop({ type: String, required: true })
  ownerId!: string;

  @Prop({ type: FileUploaderSchema, required: true })
  uploadedBy!: FileUploaderDoc;

  /** Sanitized by the caller. */
  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: String, required: true })
  contentType!: string;

  @Prop({ type: Number, required: true })
  size!: number;

  /** Declared lower-case hex SHA-256. */
  @Prop({ type: String, required: true })
  sha256!: string;

  /** `sessions/<sessionId>/files/<fileId>`: ids only, never the name. */
  @Prop({ type: String, required: true })
  storageKey!: string;

  @Prop({ type: String, required: true, enum: FILE_STATUSES })
  status!: FileStatus;

  @Prop({ type: FileUploadSchema, required: true })
  upload!: FileUploadDoc;

  @Prop({ type: Date, required: true })
  uploadExpiresAt!: Date;

  /** When the last upload URL issued expires (null: none recorded, or an older document). */
  @Prop({ type: Date, default: null })
  uploadUrlExpiresAt!: Date | null;

  /** UTC day (YYYY-MM-DD) whose quota holds the reservation. */
  @Prop({ type: String, required: true })
  quotaDay!: string;

  @Prop({ type: Number, required: true, default: 0 })
  downloads!: number;

  /** Fixed at creation (the session's maxDownloadsPerFile then); grants compare against it. */
  @Prop({ type: Number, required: true })
  maxDownloads!: number;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, default: null })
  readyAt!: Date | null;

  @Prop({ type: String, default: null })
  rejectedReason!: string | null;

  @Prop({ type: Date, default: null })
  deletedAt!: Date | null;

  /**
   * While `verifying`: until when a verifier holds the file (null = free). Internal to the
   * repository, not part of FileRecord.
   */
  @Prop({ type: Date, default: null })
  verifyLeaseUntil!: Date | null;

  /** Verification leases taken (absent on older documents: 0). */
  @Prop({ type: Number, default: 0 })
  verifyAttempts!: number;

  /** Rejected or deleted: when the object purge after the last URL's expiry was done. */
  @Prop({ type: Date, default: null })
  objectPurgedAt!: Date | null;

  /**
   * Ready: when the reconciliation found storage no longer holds the object (flagged and logged,
   * never undone by the worker); null otherwise. Internal, not part of FileRecord.
   */
  @Prop({ type: Date, default: null })
  objectMissingAt!: Date | null;
}

export const StoredFileSchema = SchemaFactory.createForClass(StoredFile);
// listBySession: a session's files oldest first, keyset-paginated on (createdAt, _id); the
// status filter ($in) is applied to the session's entries of this index.
StoredFileSchema.index({ sessionId: 1, createdAt: 1, _id: 1 });
// leaseVerification: verifying files whose lease is free (null sorts first) or expired.
StoredFileSchema.index({ status: 1, verifyLeaseUntil: 1 });
// findAbandoned (the upload sweep): pending files whose upload window has passed, oldest first.
StoredFileSchema.index({ status: 1, uploadExpiresAt: 1 });
// findObjectPurgeDue: rejected/deleted files whose object purge is not done.
StoredFileSchema.index({ objectPurgedAt: 1, status: 1, uploadUrlExpiresAt: 1 });
// findReadyInKeyRange (the reconciliation's merge with the listing): ready files by storageKey.
StoredFileSchema.index({ status: 1, storageKey: 1 });
