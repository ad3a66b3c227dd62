import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { FileVerifier } from '@app/files';

/** Pause between looks when no file is waiting. */
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
  private stopping = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly verifier: FileVerifier) {}

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (this.running === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
    });
    await Promise.race([this.running, deadline]);
    clearTimeout(timer);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let delayMs = VERIFY_IDLE_MS;
      try {
        const settled = await this.verifier.verifyOne();
        failures = 0;
        if (settled !== null) delayMs = 0;
      } catch (err) {
        failures++;
        delayMs = Math.min(VERIFY_MAX_BACKOFF_MS, VERIFY_IDLE_MS * 2 ** Math.min(failures, 5));
        this.logger.warn(
          `file verification failed (retrying in ${String(delayMs)} ms): ${
            err instanceof Error ? err.message : String(err)
          }`,
        );
      }
      if (delayMs > 0 && !this.stopping) await this.sleep(delayMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
