import type { Logger } from '@nestjs/common';

export interface JobLoopOptions {
  /** What the log calls it ("file verification"). */
  name: string;
  /** Pause between looks when the last step found nothing to do. */
  idleMs: number;
  /** Longest pause after consecutive failures (database or storage down). */
  maxBackoffMs: number;
  /** How long stop() waits for a step in progress before leaving it to its lease. */
  shutdownWaitMs: number;
}

/**
 * Runs `step` continuously: back to back while it finds work (returns true), every `idleMs` when
 * it does not, backing off (doubling up to `maxBackoffMs`) while it fails. Each step must be
 * idempotent and safe to cut short: stop() waits a while, then leaves a step in progress to the
 * lease that protects it.
 */
export class JobLoop {
  private stopping = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: JobLoopOptions,
    private readonly step: () => Promise<boolean>,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (this.running === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.shutdownWaitMs);
    });
    await Promise.race([this.running, deadline]);
    clearTimeout(timer);
  }

  private async loop(): Promise<void> {
    const { idleMs, maxBackoffMs, name } = this.options;
    let failures = 0;
    while (!this.stopping) {
      let delayMs = idleMs;
      try {
        const busy = await this.step();
        failures = 0;
        if (busy) delayMs = 0;
      } catch (err) {
        failures++;
        delayMs = Math.min(maxBackoffMs, Math.min(idleMs, 1000) * 2 ** Math.min(failures, 5));
        this.logger.warn(
          `${name} failed (retrying in ${String(delayMs)} ms): ${
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
