import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { StorageService } from '@app/storage';

/**
 * The bucket rule the worker puts at startup: storage itself aborts a multipart upload left
 * incomplete for a day, a backstop to the upload sweep and the reconciliation (a worker down for
 * days, an upload no record knows). Only under `sessions/`, where our objects live.
 */
export const ABORT_INCOMPLETE_UPLOADS_RULE = {
  id: 'sharexpress-abort-incomplete-uploads',
  prefix: 'sessions/',
  days: 1,
} as const;

/** Pause before trying again when storage could not be reached. */
export const LIFECYCLE_RETRY_MS = 5 * 60_000;

/**
 * Puts ABORT_INCOMPLETE_UPLOADS_RULE on the bucket at startup (keeping every other rule),
 * without ever holding startup up: the worker is ready whatever storage answers, and while
 * storage is down it tries again every five minutes until the rule is there or storage says it
 * has no lifecycle support.
 */
@Injectable()
export class BucketLifecycleSetup implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BucketLifecycleSetup.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Pause between attempts while storage fails (tests shorten it). */
  retryMs = LIFECYCLE_RETRY_MS;

  constructor(
    @Inject(StorageService)
    private readonly storage: Pick<StorageService, 'ensureAbortIncompleteUploadsRule'>,
  ) {}

  onApplicationBootstrap(): void {
    void this.attempt();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One attempt; never rejects. Schedules the next one when storage failed. */
  async attempt(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const { id, prefix, days } = ABORT_INCOMPLETE_UPLOADS_RULE;
    try {
      const outcome = await this.storage.ensureAbortIncompleteUploadsRule({ id, prefix, days });
      switch (outcome) {
        case 'added':
          this.logger.log(
            `bucket lifecycle rule ${id} added (incomplete uploads under ${prefix} abort after ${String(days)} day)`,
          );
          break;
        case 'present':
          this.logger.log(`bucket lifecycle rule ${id} already present`);
          break;
        case 'unsupported':
          this.logger.warn(
            `storage has no bucket lifecycle rules: incomplete uploads are aborted by the worker's jobs only`,
          );
          break;
      }
    } catch (err) {
      if (this.stopped) return;
      this.logger.warn(
        `could not put bucket lifecycle rule ${id} (trying again in ${String(Math.round(this.retryMs / 1000))} s): ${
          err instanceof Error ? err.message : String(err)
        }`,
      );
      this.timer = setTimeout(() => void this.attempt(), this.retryMs);
      // A retry alone must not keep the process alive.
      this.timer.unref();
    }
  }
}
