import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileLifecycleRepository, SessionLifecycleRepository } from '@app/database';
import { sharedCounter } from '@app/files';
import { StorageService } from '@app/storage';
import type { JobRun, LifecycleJob } from './lifecycle-job.js';
import { reconcileObjects } from './steps/object-reconciliation.js';
import { ObjectsNotDeletedError } from './steps/remove-objects.js';
import { abortUnknownUploads } from './steps/upload-reconciliation.js';

export const OBJECT_MISSING_METRIC = 'sharexpress_files_object_missing_total';

/**
 * Reconciles storage with the records: deletes objects no live record names and aborts multipart
 * uploads no pending record knows, once older than ORPHAN_GRACE_SECONDS (a declare or an upload
 * in progress is younger than that), and flags ready records whose object vanished (logged by
 * id, counted in sharexpress_files_object_missing_total), unless their session has ended (the
 * purge deletes its objects before its records: a gap that is no loss). Never deletes a live file's object:
 * liveness is read after the listing, and a record never becomes live again once settled.
 * Returns the objects deleted, uploads aborted and records flagged.
 */
@Injectable()
export class ReconcileStorageJob implements LifecycleJob {
  readonly name = 'reconcile-storage' as const;
  private readonly logger = new Logger(ReconcileStorageJob.name);
  private readonly missing = sharedCounter(
    OBJECT_MISSING_METRIC,
    'Ready files whose object storage no longer holds, as the reconciliation found them',
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FileLifecycleRepository,
    private readonly sessions: SessionLifecycleRepository,
    private readonly storage: StorageService,
  ) {
    this.missing.inc(0);
  }

  async run(run: JobRun): Promise<number> {
    const orphanedBefore = new Date(run.now.getTime() - this.config.jobs.orphanGraceSeconds * 1000);
    const deps = {
      files: this.files,
      sessions: this.sessions,
      storage: this.storage,
      missing: this.missing,
      logger: this.logger,
    };
    const objects = await reconcileObjects(deps, run, orphanedBefore);
    const aborted = await abortUnknownUploads(deps, run, orphanedBefore);
    const done = objects.orphansDeleted + objects.recordsFlagged + aborted;
    // Refused keys are retried next run; the uploads need not wait for them.
    if (objects.failed.length > 0) throw new ObjectsNotDeletedError(objects.failed, done);
    return done;
  }
}
