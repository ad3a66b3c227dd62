import type { Logger } from '@nestjs/common';

/** After the first failure, a still failing tail is logged again at most this often. */
export const FAILURE_LOG_EVERY_MS = 15_000;
/** The longest wait between ticks while the tail keeps failing. */
export const MAX_BACKOFF_MS = 5000;

/**
 * What the hub makes of failing tail queries (MongoDB down or hung): a log line for the first
 * failure, then at most one every FAILURE_LOG_EVERY_MS with the count, one when it recovers; and
 * a tick interval that doubles per failure up to MAX_BACKOFF_MS, back to normal on success.
 */
export class TailFailures {
  private count = 0;
  private since = 0;
  private lastLogAt = 0;

  /** `prefix` tells the log lines of the live query from the catch-up one's. */
  constructor(
    private readonly logger: Pick<Logger, 'warn' | 'log'>,
    private readonly prefix = '',
  ) {}

  /** Consecutive failures so far (0: healthy). */
  get failures(): number {
    return this.count;
  }

  /** Records a failure, and logs it when it is time to. */
  failed(now: number, message: string): void {
    const line = this.failureLine(now, message);
    if (line !== null) this.logger.warn(this.prefix + line);
  }

  /** Records a success, and logs the recovery after failures. */
  succeeded(now: number): void {
    if (this.count === 0) return;
    this.logger.log(
      `${this.prefix}live tail query recovered after ${String(this.count)} failures in ${seconds(now - this.since)} s`,
    );
    this.count = 0;
  }

  private failureLine(now: number, message: string): string | null {
    this.count += 1;
    if (this.count === 1) {
      this.since = now;
      this.lastLogAt = now;
      return `live tail query failed, retrying with backoff: ${message}`;
    }
    if (now - this.lastLogAt < FAILURE_LOG_EVERY_MS) return null;
    this.lastLogAt = now;
    return (
      `live tail query still failing: ${String(this.count)} failures in ` +
      `${seconds(now - this.since)} s, last: ${message}`
    );
  }

  /** The wait before the next tick: `interval` when healthy, doubled per failure up to the cap. */
  delay(intervalMs: number, elapsedMs: number): number {
    if (this.count === 0) return Math.max(0, intervalMs - elapsedMs);
    return Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(this.count, 10));
  }
}

const seconds = (ms: number): string => String(Math.round(ms / 1000));
