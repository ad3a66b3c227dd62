import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { FileObjectPurger } from '@app/files';
import { JobLoop } from './job-loop.js';

/** Pause between looks when no file is due: upload URLs live minutes, this need not be quick. */
export const PURGE_IDLE_MS = 30_000;
/** Longest pause after consecutive failures (database or storage down). */
export const PURGE_MAX_BACKOFF_MS = 60_000;
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * Runs the FileObjectPurger: once the last upload URL of a rejected or deleted file has expired,
 * its object is removed once more (a client may have written it again through that URL). Back to
 * back while files are due, every 30 s when none is. Every replica may run it: a file's claim
 * keeps two workers off it, and a claim cut short is taken again once it expires.
 */
@Injectable()
export class ObjectPurgeJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ObjectPurgeJob.name);
  private readonly loop: JobLoop;

  constructor(private readonly purger: FileObjectPurger) {
    this.loop = new JobLoop(
      {
        name: 'object purge',
        idleMs: PURGE_IDLE_MS,
        maxBackoffMs: PURGE_MAX_BACKOFF_MS,
        shutdownWaitMs: SHUTDOWN_WAIT_MS,
      },
      async () => (await this.purger.purgeOne()) !== null,
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
