import type { FileLifecycleRepository, FileRecord } from '@app/database';
import { FILE_KEY_PREFIX, parseStorageKey } from '@app/files';
import type { ListedUpload, StorageService } from '@app/storage';
import type { JobRun } from '../lifecycle-job.js';

export interface UploadReconciliationDeps {
  files: FileLifecycleRepository;
  storage: StorageService;
}

/** The upload is the one a pending multipart file of that key waits for. */
const knows = (record: FileRecord | undefined, upload: ListedUpload): boolean =>
  record?.status === 'pending' &&
  record.upload.mode === 'multipart' &&
  record.upload.uploadId === upload.uploadId &&
  record.storageKey === upload.key;

/**
 * One pass over the multipart uploads open under the files' prefix: an upload no pending record
 * knows (its declare crashed before writing the record, or its file was settled or purged)
 * initiated at or before `orphanedBefore` is aborted; one initiated later may still belong to a
 * declare in progress. Returns the uploads aborted.
 */
export async function abortUnknownUploads(
  deps: UploadReconciliationDeps,
  run: JobRun,
  orphanedBefore: Date,
): Promise<number> {
  let aborted = 0;
  let next: { keyMarker: string; uploadIdMarker: string } | undefined;
  do {
    const page = await deps.storage.listMultipartUploads({ prefix: FILE_KEY_PREFIX, next });
    const fileIds = new Set<string>();
    for (const u of page.uploads) {
      const ids = parseStorageKey(u.key);
      if (ids !== null) fileIds.add(ids.fileId);
    }
    const records = fileIds.size === 0 ? [] : await deps.files.findByIds([...fileIds]);
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const upload of page.uploads) {
      const record = byId.get(parseStorageKey(upload.key)?.fileId ?? '');
      if (knows(record, upload)) continue;
      if (upload.initiated.getTime() > orphanedBefore.getTime()) continue;
      run.guard.check();
      await deps.storage.abortMultipartUpload(upload.key, upload.uploadId);
      aborted++;
    }
    next = page.next;
  } while (next !== undefined);
  return aborted;
}
