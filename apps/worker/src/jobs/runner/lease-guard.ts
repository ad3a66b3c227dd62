import type { Logger } from '@nestjs/common';
import type { JobLease, JobLeaseRepository, WriteFence } from '@app/database';
import { LeaseLostError, type FenceGuard } from '../lifecycle-job.js';

/** The widest safety margin before the lease's end: no write is started closer to it. */
export const MAX_FENCE_MARGIN_MS = 2_000;

export interface LeaseGuardOptions {
  /** The lease's time to live, as acquired; renewals extend it by as much. */
  ttlMs: number;
  logger: Pick<Logger, 'warn'>;
  /** Told of every renewal that failed (database unreachable): the job's error count. */
  onRenewFailure?: () => void;
  /** The local clock (tests move it). */
  clock?: () => number;
}

/**
 * The fence of one run: renews the lease every ttl/3 while the run works, and tells the run
 * (check(), beforeWrite()) when it may no longer write. Renewals never overlap, and each is sent
 * only while the local clock is still before the lease's end: a lease that lapsed locally (a long
 * GC pause, a SIGSTOP) is lost for good, and nothing more is sent under it, neither a renewal nor
 * a release.
 *
 * Writes stop a margin (min(ttl/4, 2 s)) before the lease's end, so a write checked just in time
 * still lands before another replica may take over; that holds while the replicas' clocks agree
 * within that margin. A write that does not land in time (the process paused after its check)
 * is stopped by the database instead: beforeWrite() hands it the same instant as a deadline that
 * MongoDB checks against its own clock.
 */
export class LeaseGuard implements FenceGuard {
  readonly fence: number;
  private current: JobLease;
  private lostBecause: string | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private readonly ttlMs: number;
  private readonly marginMs: number;
  private readonly renewEveryMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly leases: Pick<JobLeaseRepository, 'renew'>,
    lease: JobLease,
    private readonly options: LeaseGuardOptions,
  ) {
    this.current = lease;
    this.fence = lease.fence;
    this.ttlMs = options.ttlMs;
    this.marginMs = Math.min(options.ttlMs / 4, MAX_FENCE_MARGIN_MS);
    this.renewEveryMs = Math.max(1, Math.floor(options.ttlMs / 3));
    this.clock = options.clock ?? Date.now;
    this.schedule();
  }

  /** The lease as last renewed. */
  get lease(): JobLease {
    return this.current;
  }

  check(): void {
    const reason = this.lostReason();
    if (reason !== null) throw new LeaseLostError(this.current.job, reason);
  }

  beforeWrite(): WriteFence {
    this.check();
    // The point from which check() throws: a write the server runs later than it is too late.
    return { notAfter: new Date(this.current.until.getTime() - this.marginMs) };
  }

  /** Whether the run may still write, or send a release, under its lease (check() would pass). */
  holds(): boolean {
    return this.lostReason() === null;
  }

  /** Gives the lease up locally (shutdown): check() throws from now on, nothing renews it. */
  revoke(reason: string): void {
    this.lostBecause ??= reason;
    this.clearTimer();
  }

  /** Stops renewing (idempotent); resolves once the renewal in flight, if any, has settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.renewing;
  }

  private lostReason(): string | null {
    if (this.lostBecause !== null) return this.lostBecause;
    const left = this.current.until.getTime() - this.clock();
    if (left <= 0) return this.lapse();
    if (left <= this.marginMs) {
      return `within ${String(this.marginMs)} ms of its end (renewals did not get through)`;
    }
    return null;
  }

  private lapse(): string {
    this.lostBecause = `lapsed at ${this.current.until.toISOString()} before it was renewed`;
    this.clearTimer();
    return this.lostBecause;
  }

  private schedule(): void {
    if (this.stopped || this.lostBecause !== null) return;
    this.timer = setTimeout(() => this.renew(), this.renewEveryMs);
    // The run in progress keeps the process busy; a renewal alone must not.
    this.timer.unref();
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private renew(): void {
    this.timer = undefined;
    if (this.stopped || this.lostBecause !== null) return;
    const now = this.clock();
    if (now >= this.current.until.getTime()) {
      this.lapse();
      return;
    }
    this.renewing = this.send(now).finally(() => {
      this.renewing = undefined;
      this.schedule();
    });
  }

  private async send(now: number): Promise<void> {
    try {
      const renewed = await this.leases.renew(this.current, new Date(now), this.ttlMs);
      if (renewed === null) {
        this.lostBecause ??= 'taken over by another holder (found on renewal)';
      } else if (renewed.fence !== this.fence) {
        this.lostBecause ??= `renewal returned fence ${String(renewed.fence)}`;
      } else if (this.lostBecause === null) {
        this.current = renewed;
      }
    } catch (err) {
      this.options.onRenewFailure?.();
      // Kept: the next renewal tries again while the lease still runs; check() stops the writes
      // once its end comes near.
      this.options.logger.warn(
        `renewing the lease of job ${this.current.job} failed: ${
          err instanceof Error ? err.message : String(err)
        }`,
      );
    }
  }
}
