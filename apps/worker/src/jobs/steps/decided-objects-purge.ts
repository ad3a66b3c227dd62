import type { FileLifecycleRepository } from '@app/database';
import type { StorageService } from '@app/storage';
import type { JobRun } from '../lifecycle-job.js';
import { FILES_PER_BATCH, type PurgeOutcome } from './ended-sessions-purge.js';
import { MAX_REFUSED_PER_RUN, nextBatch, removeObjects } from './remove-objects.js';

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
 * a rerun repeats what a crash cut short. A key storage refuses is skipped for the rest of the
 * run (its record left for the next run) while the others are settled, up to
 * MAX_REFUSED_PER_RUN refused keys.
 */
export async function purgeDecidedObjects(
  deps: DecidedObjectsPurgeDeps,
  run: JobRun,
): Promise<PurgeOutcome> {
  const outcome: PurgeOutcome = { purged: 0, failed: [] };
  const refused = new Set<string>();
  for (;;) {
    const files = await nextBatch(
      (limit) => deps.files.findObjectPurgeDue(run.now, limit),
      refused,
      FILES_PER_BATCH,
    );
    if (files.length === 0) return outcome;
    const { removed, kept, failed } = await removeObjects(deps.storage, files, run.guard);
    outcome.failed.push(...failed);
    for (const file of kept) refused.add(file.id);
    if (removed.length > 0) {
      const { removed: gone, marked } = await deps.files.settlePurged(
        removed.map((f) => f.id),
        run.now,
        run.guard.beforeWrite(),
      );
      if (gone + marked === 0) {
        // A lease lost says so; otherwise the same batch would come back forever.
        run.guard.check();
        throw new Error('the object purge settled no file of a batch');
      }
      outcome.purged += gone + marked;
    }
    if (files.length < FILES_PER_BATCH || outcome.failed.length >= MAX_REFUSED_PER_RUN) {
      return outcome;
    }
  }
}
