import { Injectable } from '@nestjs/common';
import { FileLifecycleRepository } from '@app/database';
import { FileVerdictService, type Rejection, type VerdictFence } from '@app/files';
import type { JobRun, LifecycleJob } from './lifecycle-job.js';

/** Abandoned uploads read per batch. */
export const SWEEP_BATCH = 100;

const ABANDONED: Rejection = {
  reason: 'abandoned',
  detail: 'the upload window passed before the upload was completed',
};

/**
 * Rejects uploads still pending once their window (UPLOAD_WINDOW_SECONDS) has passed, as
 * `abandoned`: the rejection decides first (pending → rejected, fenced by the run's lease; a
 * complete racing it gets one verdict), then aborts the multipart upload or deletes the partial
 * object, gives back the daily quota and the session's reservation and records file.rejected.
 * Returns the files rejected.
 *
 * A crash before the decision leaves the file pending for the next run, which does all of it. A
 * crash after a won decision and before its give-backs is the window this job accepts: that one
 * file's reservations leak (its daily quota until the UTC day ends, its room in the session until
 * the session ends), since the file is no longer pending and no run takes it again. Deliberate:
 * giving back exactly once would need a give-back idempotent on the quota document, and the
 * leak is bounded by one file per crash (see VerdictFence in @app/files).
 */
@Injectable()
export class SweepUploadsJob implements LifecycleJob {
  readonly name = 'sweep-uploads' as const;

  constructor(
    private readonly files: FileLifecycleRepository,
    private readonly verdicts: FileVerdictService,
  ) {}

  async run(run: JobRun): Promise<number> {
    const fence: VerdictFence = { gate: () => run.guard.beforeWrite() };
    let rejected = 0;
    for (;;) {
      const files = await this.files.findAbandoned(run.now, SWEEP_BATCH);
      let settledHere = 0;
      for (const file of files) {
        run.guard.check();
        const settled = await this.verdicts.reject(file, ABANDONED, run.now, fence);
        if (settled.status === 'rejected') rejected++;
        if (settled.status !== 'pending') settledHere++;
      }
      // A full batch that stayed pending (every decision came too late) would come back the same.
      if (files.length < SWEEP_BATCH || settledHere === 0) return rejected;
    }
  }
}
