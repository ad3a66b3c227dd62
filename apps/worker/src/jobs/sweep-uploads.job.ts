import { Injectable } from '@nestjs/common';
import { FileLifecycleRepository } from '@app/database';
import { FileVerdictService, type Rejection } from '@app/files';
import type { JobRun, LifecycleJob } from './lifecycle-job.js';

/** Abandoned uploads read per batch. */
export const SWEEP_BATCH = 100;

const ABANDONED: Rejection = {
  reason: 'abandoned',
  detail: 'the upload window passed before the upload was completed',
};

/**
 * Rejects uploads still pending once their window (UPLOAD_WINDOW_SECONDS) has passed, as
 * `abandoned`: the rejection decides first (pending → rejected; a complete racing it gets one
 * verdict), then aborts the multipart upload or deletes the partial object, gives back the daily
 * quota and the session's reservation and records file.rejected. A crash before the decision
 * leaves the file pending for the next run. Returns the files rejected.
 */
@Injectable()
export class SweepUploadsJob implements LifecycleJob {
  readonly name = 'sweep-uploads' as const;

  constructor(
    private readonly files: FileLifecycleRepository,
    private readonly verdicts: FileVerdictService,
  ) {}

  async run(run: JobRun): Promise<number> {
    const fence = { beforeWrite: () => run.guard.check() };
    let rejected = 0;
    for (;;) {
      const files = await this.files.findAbandoned(run.now, SWEEP_BATCH);
      for (const file of files) {
        run.guard.check();
        const settled = await this.verdicts.reject(file, ABANDONED, run.now, fence);
        if (settled.status === 'rejected') rejected++;
      }
      if (files.length < SWEEP_BATCH) return rejected;
    }
  }
}
