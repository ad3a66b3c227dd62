import type { Logger } from '@nestjs/common';
import type { FileRepository, WriteFence, WriteGate } from '@app/database';

/** How often a verification in progress renews its lease, at most (a third of it if shorter). */
export const LEASE_RENEW_EVERY_MS = 30_000;

/** A verification no longer holds its file's lease: it must not decide the file. */
export class VerificationLeaseLostError extends Error {
  constructor(fileId: string) {
    super(`the verification lease of file ${fileId} was lost`);
    this.name = 'VerificationLeaseLostError';
  }
}

/**
 * The lease of one verification in progress, renewed on a timer (StorageService.readObjectSha256
 * reports no progress to its caller; its own idle timeout ends a read that stalls, so a renewed
 * lease never outlives a stuck read by much). Renewals never overlap; once one finds the lease
 * taken over or the file settled (or `gate` refuses: the worker job's own lease is lost),
 * renewing stops. `gate` fences each renewal by the caller's own lease (a worker job's): it
 * throws once the caller may no longer write, else gives the deadline the renewal carries.
 */
export class VerificationLease {
  private until: Date | null;
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly files: FileRepository,
    private readonly fileId: string,
    leasedAt: Date,
    private readonly leaseMs: number,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly gate?: WriteGate,
  ) {
    this.until = new Date(leasedAt.getTime() + leaseMs);
    const every = Math.max(1, Math.min(LEASE_RENEW_EVERY_MS, Math.floor(leaseMs / 3)));
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  /** The lease value this verification holds; null once it lost it. */
  heldUntil(): Date | null {
    return this.until;
  }

  /**
   * Throws VerificationLeaseLostError unless the lease is still held by the local clock (a
   * renewal found it taken over, or it ran out while renewals failed). Synchronous, so that
   * nothing runs between it and the write it guards.
   */
  assertHeld(): void {
    if (this.until === null || this.until.getTime() <= Date.now()) {
      throw new VerificationLeaseLostError(this.fileId);
    }
  }

  /** Stops renewing (idempotent), after the renewal in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.renewing;
  }

  private tick(): void {
    if (this.stopped || this.renewing !== undefined || this.until === null) return;
    this.renewing = this.renew().finally(() => {
      this.renewing = undefined;
    });
  }

  private async renew(): Promise<void> {
    const held = this.until;
    if (held === null) return;
    const next = new Date(Date.now() + this.leaseMs);
    let deadline: WriteFence | undefined;
    try {
      deadline = this.gate?.();
    } catch {
      // The job's lease is lost: write nothing more, let the file's lease run out.
      this.stopped = true;
      clearInterval(this.timer);
      return;
    }
    try {
      if (await this.files.renewVerification(this.fileId, held, next, deadline)) {
        this.until = next;
      } else {
        this.until = null;
        clearInterval(this.timer);
      }
    } catch (err) {
      // Kept: the next tick tries again while the current lease still runs.
      this.logger.warn(
        `renewing the verification lease of ${this.fileId} failed: ${
          err instanceof Error ? err.message : String(err)
        }`,
      );
    }
  }
}
