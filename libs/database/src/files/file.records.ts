import type { FileRecord, UploadPlan } from './file.repository.js';
import type { FileUploadDoc, StoredFile } from './file.schema.js';

/** What `lean()` returns for a file (`_id` is the public id, a string). */
export type LeanFile = StoredFile;

const toUploadPlan = (doc: FileUploadDoc): UploadPlan =>
  doc.mode === 'multipart'
    ? {
        mode: 'multipart',
        uploadId: String(doc.uploadId),
        partSize: Number(doc.partSize),
        partCount: Number(doc.partCount),
      }
    : { mode: 'single' };

/** The record, field by field (the lease and anything added later never leak by accident). */
export const toFileRecord = (doc: LeanFile): FileRecord => ({
  id: doc._id,
  sessionId: doc.sessionId,
  ownerId: doc.ownerId,
  uploadedBy: { kind: doc.uploadedBy.kind, id: doc.uploadedBy.id },
  name: doc.name,
  contentType: doc.contentType,
  size: doc.size,
  sha256: doc.sha256,
  storageKey: doc.storageKey,
  status: doc.status,
  upload: toUploadPlan(doc.upload),
  uploadExpiresAt: doc.uploadExpiresAt,
  uploadUrlExpiresAt: doc.uploadUrlExpiresAt ?? null,
  quotaDay: doc.quotaDay,
  downloads: doc.downloads,
  maxDownloads: doc.maxDownloads,
  createdAt: doc.createdAt,
  readyAt: doc.readyAt ?? null,
  rejectedReason: doc.rejectedReason ?? null,
  deletedAt: doc.deletedAt ?? null,
  // Absent on documents written before these fields.
  objectPurgedAt: doc.objectPurgedAt ?? null,
  verifyAttempts: doc.verifyAttempts ?? 0,
});
