import type { FileLifecycleRepository } from '@app/database';
import type { StorageService } from '@app/storage';
import type { JobRun } from '../lifecycle-job.js';
import { FILES_PER_BATCH } from './ended-sessions-purge.js';
import { ObjectsNotDeletedError, removeObjects } from './remove-objects.js';

export interface DecidedObjectsPurgeDeps {
  files: FileLifecycleRepository;
  storage: StorageService;
}

/**
 * The objects of rejected and deleted files, once their last upload URL has expired. Their object
 * went when they were decided, but a URL issued earlier stays valid until it expires: a client
 * can PUT through it again (If-None-Match passes on the empty key), leaving an object nobody
 * accounts for. Once no URL can write any more, the key is deleted again (and any multipart
 * upload aborted), then the record settled: a deleted file's record goes, a rejected one is marked
 * objectPurgedAt (kept so its owner still sees why). Storage first, record second, in batches;
 * a rerun repeats what a crash cut short. Returns the number of files settled.
 */
export async function purgeDecidedObjects(
  deps: DecidedObjectsPurgeDeps,
  run: JobRun,
): Promise<number> {
  let settled = 0;
  for (;;) {
    const files = await deps.files.findObjectPurgeDue(run.now, FILES_PER_BATCH);
    if (files.length === 0) return settled;
    const { removed, failed } = await removeObjects(deps.storage, files, run.guard);
    if (removed.length > 0) {
      run.guard.check();
      const { removed: gone, marked } = await deps.files.settlePurged(
        removed.map((f) => f.id),
        run.now,
      );
      settled += gone + marked;
      // The same batch would come back forever.
      if (gone + marked === 0) throw new Error('the object purge settled no file of a batch');
    }
    if (failed.length > 0) throw new ObjectsNotDeletedError(failed);
    if (files.length < FILES_PER_BATCH) return settled;
  }
}
