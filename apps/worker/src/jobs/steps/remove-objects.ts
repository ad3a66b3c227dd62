import type { FileRecord } from '@app/database';
import type { StorageService } from '@app/storage';
import { PartialRunError, type FenceGuard } from '../lifecycle-job.js';

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

/** A key DeleteObjects refused, with storage's error code. */
export interface RefusedKey {
  key: string;
  code: string;
}

/**
 * DeleteObjects refused some keys: their records stay, and the next run tries them again. Thrown
 * at the end of a run, after everything else it could do (`processed` items).
 */
export class ObjectsNotDeletedError extends PartialRunError {
  constructor(failed: readonly RefusedKey[], processed: number) {
    const first = failed[0];
    super(
      `storage did not delete ${String(failed.length)} object(s)` +
        (first === undefined ? '' : ` (first: ${first.key}, ${first.code})`),
      processed,
    );
    this.name = 'ObjectsNotDeletedError';
  }
}

/**
 * Keys storage may refuse in one run of a purge before it stops taking new batches: past that,
 * storage is in trouble rather than refusing a key here and there, and the next run tries again.
 */
export const MAX_REFUSED_PER_RUN = 1000;

export interface RemovedObjects {
  /** The files whose key storage confirmed deleted (a key already gone counts). */
  removed: FileRecord[];
  /** The other files: storage refused their key, they keep their records. */
  kept: FileRecord[];
  failed: RefusedKey[];
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
  if (files.length === 0) return { removed: [], kept: [], failed: [] };
  guard.check();
  const result = await storage.deleteObjects(files.map((f) => f.storageKey));
  const deleted = new Set(result.deleted);
  return {
    removed: files.filter((f) => deleted.has(f.storageKey)),
    kept: files.filter((f) => !deleted.has(f.storageKey)),
    failed: result.failed,
  };
}

/**
 * Up to `limit` files from `read(limit + skipped.size)` that are not in `skipped` (files whose key
 * storage refused earlier in this run: their records stay, so every read finds them again, and
 * they must not take the place of the files not tried yet).
 */
export async function nextBatch(
  read: (limit: number) => Promise<FileRecord[]>,
  skipped: ReadonlySet<string>,
  limit: number,
): Promise<FileRecord[]> {
  const found = await read(limit + skipped.size);
  return found.filter((f) => !skipped.has(f.id)).slice(0, limit);
}
