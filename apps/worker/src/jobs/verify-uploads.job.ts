import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileVerifier, type VerifyOptions } from '@app/files';
import type { JobRun, LifecycleJob } from './lifecycle-job.js';

/** Verifications one run settles at most; the next run (seconds later) takes the rest. */
export const VERIFY_PER_RUN = 100;

/**
 * Settles completed multipart uploads left `verifying`: up to VERIFY_CONCURRENCY read-backs in
 * flight at once (FileVerifier: streamed, constant memory), each on a file whose own lease keeps
 * other verifiers off it, until none is waiting or VERIFY_PER_RUN were taken. Every write of a
 * verification is fenced by the run's lease: checked before it is sent, and carrying the lease's
 * deadline so that the database refuses it if it arrives late. After a failure no new
 * verification starts: the run ends once those in flight settle, with that failure (the failed
 * file waits for its lease to expire; an outage is retried next run). Returns the files settled.
 */
@Injectable()
export class VerifyUploadsJob implements LifecycleJob {
  readonly name = 'verify-uploads' as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verifier: FileVerifier,
  ) {}

  async run(run: JobRun): Promise<number> {
    const options: VerifyOptions = { gate: () => run.guard.beforeWrite() };
    const failures: unknown[] = [];
    let started = 0;
    let settled = 0;
    let drained = false;
    const lane = async (): Promise<void> => {
      while (!drained && failures.length === 0 && started < VERIFY_PER_RUN) {
        started++;
        try {
          run.guard.check();
          const file = await this.verifier.verifyOne(new Date(), options);
          if (file === null) drained = true;
          // Still verifying: its decision did not land (came too late); it is taken again.
          else if (file.status !== 'verifying') settled++;
        } catch (err) {
          failures.push(err);
        }
      }
    };
    const lanes = Math.max(1, this.config.jobs.verifyConcurrency);
    await Promise.all(Array.from({ length: lanes }, lane));
    if (failures.length > 0) throw failures[0];
    return settled;
  }
}
