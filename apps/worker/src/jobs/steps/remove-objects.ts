import type { FileRecord } from '@app/database';
import type { StorageService } from '@app/storage';
import type { FenceGuard } from '../lifecycle-job.js';

/**
 * Whether a file's multipart upload may still be open: pending, or rejected or deleted and not
 * purged yet (a part PUT in flight when it was first aborted can outlive that abort). A ready or
 * verifying file's upload was completed. Aborting is idempotent, so when in doubt, abort.
 */
export const uploadMayBeOpen = (file: FileRecord): boolean =>
  file.upload.mode === 'multipart' &&
  file.status !== 'ready' &&
  file.status !== 'verifying' &&
  file.objectPurgedAt === null;

/** DeleteObjects refused some keys: their records stay, and the next run tries them again. */
export class ObjectsNotDeletedError extends Error {
  constructor(failed: readonly { key: string; code: string }[]) {
    const first = failed[0];
    super(
      `storage did not delete ${String(failed.length)} object(s)` +
        (first === undefined ? '' : ` (first: ${first.key}, ${first.code})`),
    );
    this.name = 'ObjectsNotDeletedError';
  }
}

export interface RemovedObjects {
  /** The files whose key storage confirmed deleted (a key already gone counts). */
  removed: FileRecord[];
  failed: { key: string; code: string }[];
}

/**
 * Storage first: aborts every upload of `files` that may be open, then deletes all their keys in
 * one DeleteObjects (up to 1000 keys: callers pass batches of at most that). Only the files
 * returned in `removed` may lose their records. Idempotent: a rerun after a crash repeats it.
 */
export async function removeObjects(
  storage: StorageService,
  files: readonly FileRecord[],
  guard: FenceGuard,
): Promise<RemovedObjects> {
  for (const file of files) {
    if (file.upload.mode !== 'multipart' || !uploadMayBeOpen(file)) continue;
    guard.check();
    await storage.abortMultipartUpload(file.storageKey, file.upload.uploadId);
  }
  if (files.length === 0) return { removed: [], failed: [] };
  guard.check();
  const result = await storage.deleteObjects(files.map((f) => f.storageKey));
  const deleted = new Set(result.deleted);
  return { removed: files.filter((f) => deleted.has(f.storageKey)), failed: result.failed };
}
