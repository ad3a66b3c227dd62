import type { Logger } from '@nestjs/common';
import type { FileRecord } from '@app/database';
import type { StorageService } from '@app/storage';

/**
 * Removes a file's object, after aborting its multipart upload when `abortUpload` (by default:
 * a multipart file still `pending`, whose upload is open). A missing object or upload counts as
 * gone, so this is idempotent. The one place the API's delete and the verdict's rejection remove
 * one object (the worker's purge removes them in batches). `check` runs right before each
 * storage request (a worker job's `FenceGuard.check()`: it throws once the job's lease is lost;
 * storage takes no deadline).
 */
export async function removeFileObject(
  storage: StorageService,
  file: Pick<FileRecord, 'storageKey' | 'upload' | 'status'>,
  options: { abortUpload?: boolean; check?: () => void } = {},
): Promise<void> {
  const abortUpload =
    options.abortUpload ?? (file.upload.mode === 'multipart' && file.status === 'pending');
  if (abortUpload && file.upload.mode === 'multipart') {
    options.check?.();
    await storage.abortMultipartUpload(file.storageKey, file.upload.uploadId);
  }
  options.check?.();
  await storage.deleteObject(file.storageKey);
}

/**
 * Runs a step that must not stop the ones after it (a give-back after the decision, a clean-up
 * a later job repeats): a failure is logged as a warning, never thrown. True when it succeeded.
 */
export async function bestEffort(
  logger: Pick<Logger, 'warn'>,
  what: string,
  step: () => Promise<void>,
): Promise<boolean> {
  try {
    await step();
    return true;
  } catch (err) {
    logger.warn(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}
