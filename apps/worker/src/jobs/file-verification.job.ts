import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { FileVerifier } from '@app/files';
import { JobLoop } from './job-loop.js';

/**
 * Pause between looks when no file is waiting. A look is one indexed findOneAndUpdate, so a
 * short pause is cheap, and it is latency a client waits for between complete and `ready`.
 */
export const VERIFY_IDLE_MS = 1000;
/** Longest pause after consecutive failures (database or storage down). */
export const VERIFY_MAX_BACKOFF_MS = 30_000;
/** How long shutdown waits for a verification in progress before leaving it to its lease. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Runs the FileVerifier continuously: back to back while files are waiting, every second when
 * none is, backing off (doubling up to 30 s) while verifications fail. Every replica may run it:
 * a file's lease keeps two verifiers off it, and a verification cut short by a crash or a
 * shutdown is taken again once its lease expires.
 */
@Injectable()
export class FileVerificationJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FileVerificationJob.name);
  private readonly loop: JobLoop;

  constructor(private readonly verifier: FileVerifier) {
    this.loop = new JobLoop(
      {
        name: 'file verification',
        idleMs: VERIFY_IDLE_MS,
        maxBackoffMs: VERIFY_MAX_BACKOFF_MS,
        shutdownWaitMs: SHUTDOWN_WAIT_MS,
      },
      async () => (await this.verifier.verifyOne()) !== null,
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
