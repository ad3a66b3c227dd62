import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { StorageService, type EarlyAbortRule } from '@app/storage';

/**
 * The bucket rule the worker puts at startup: storage itself aborts a multipart upload left
 * incomplete too long, a backstop to the upload sweep and the reconciliation (a worker down for
 * days, an upload no record knows). Only under `sessions/`, where our objects live. Its days
 * come from the upload window (abortAfterDays).
 */
export const ABORT_INCOMPLETE_UPLOADS_RULE = {
  id: 'sharexpress-abort-incomplete-uploads',
  prefix: 'sessions/',
} as const;

const DAY_SECONDS = 86_400;

/**
 * DaysAfterInitiation for the rule: the upload window in whole days, plus one. An upload's
 * multipart upload begins at its declare, so storage must not abort it before the window has
 * passed; the extra day is the margin for storage's day counting (AWS rounds to midnight UTC,
 * others count exact days), clocks that differ, and a complete that reaches storage as the
 * window ends. The default window (one day) gives 2, not the "after one day": a one-day
 * rule over a one-day window could abort an upload in the window's last moments.
 */
export function abortAfterDays(uploadWindowSeconds: number): number {
  return Math.max(1, Math.ceil(uploadWindowSeconds / DAY_SECONDS) + 1);
}

/** Pause before trying again when storage could not be reached. */
export const LIFECYCLE_RETRY_MS = 5 * 60_000;

type SetupConfig = { files: Pick<AppConfig['files'], 'uploadWindowSeconds'> };

/**
 * Puts ABORT_INCOMPLETE_UPLOADS_RULE on the bucket at startup (keeping every other rule),
 * without ever holding startup up: the worker is ready whatever storage answers, and while
 * storage is down it tries again every five minutes until the rule is there or storage gives a
 * final answer (no lifecycle support, or no permission: one warning, no retry). Warns about
 * every rule, ours included, that aborts uploads sooner than the window allows; it never
 * rewrites one. Also logs, once at startup, the warning about an unsafe ORPHAN_GRACE_SECONDS
 * (the other setting by which the worker's storage clean-up can fail an upload).
 */
@Injectable()
export class BucketLifecycleSetup implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BucketLifecycleSetup.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Pause between attempts while storage fails (tests shorten it). */
  retryMs = LIFECYCLE_RETRY_MS;

  constructor(
    @Inject(APP_CONFIG) private readonly config: SetupConfig,
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
    const { id, prefix } = ABORT_INCOMPLETE_UPLOADS_RULE;
    const days = abortAfterDays(this.config.files.uploadWindowSeconds);
    try {
      const result = await this.storage.ensureAbortIncompleteUploadsRule({ id, prefix, days });
      switch (result.outcome) {
        case 'added':
          this.logger.log(
            `bucket lifecycle rule ${id} added (incomplete uploads under ${prefix} abort after ${String(days)} days)`,
          );
          this.warnAbortingSooner(result.abortingSooner, days);
          break;
        case 'present':
          this.logger.log(`bucket lifecycle rule ${id} already present (left as it is)`);
          this.warnAbortingSooner(result.abortingSooner, days);
          break;
        case 'unsupported':
          this.logger.warn(
            result.refusedWith === undefined
              ? `storage has no bucket lifecycle rules: incomplete uploads are aborted by the worker's jobs only`
              : `storage refused bucket lifecycle rule ${id} (${result.refusedWith}): incomplete uploads are ` +
                  `aborted by the worker's jobs only (on MinIO, set MINIO_API_STALE_UPLOADS_EXPIRY instead)`,
          );
          break;
        case 'forbidden':
          this.logger.warn(
            `the storage credentials lack ${result.permission}: bucket lifecycle rule ${id} not ` +
              `checked or put, so incomplete uploads are aborted by the worker's jobs only ` +
              `(grant s3:GetLifecycleConfiguration and s3:PutLifecycleConfiguration, then restart the worker)`,
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

  /** Existing rules are the operator's (ours too): named with the fix, never rewritten. */
  private warnAbortingSooner(rules: readonly EarlyAbortRule[], days: number): void {
    const { id: ours, prefix } = ABORT_INCOMPLETE_UPLOADS_RULE;
    const window = this.config.files.uploadWindowSeconds;
    for (const rule of rules) {
      const name =
        rule.id === null
          ? 'a bucket lifecycle rule without an ID'
          : `bucket lifecycle rule ${rule.id}`;
      const fix =
        rule.id === ours
          ? `raise its DaysAfterInitiation to ${String(days)}, or delete it and the worker puts it back with ${String(days)} at its next start`
          : `raise its DaysAfterInitiation to at least ${String(days)}`;
      this.logger.warn(
        `${name} aborts incomplete uploads under ${prefix} after ${String(rule.days)} day(s), ` +
          `sooner than UPLOAD_WINDOW_SECONDS=${String(window)} allows (${String(days)} days): ` +
          `storage may abort uploads still inside their window. The worker keeps existing rules as they are: ${fix}`,
      );
    }
  }
}
