import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileRepository, type FileRecord, type WriteGate } from '@app/database';
import { StorageService, StorageUnavailableError } from '@app/storage';
import { bestEffort } from './file-object.js';
import { FileVerdictService, SNIFF_BYTES, type VerdictFence } from './file-verdict.service.js';
import { VerificationLease, VerificationLeaseLostError } from './verification-lease.js';
import { integrityMismatch, type Rejection } from './rejection.js';

const SECOND_MS = 1000;

/**
 * Attempts (leases) after which a file that never settles is rejected. Attempts that could not
 * run because storage was unavailable are given back and do not count.
 */
export const MAX_VERIFY_ATTEMPTS = 5;

const attemptsSpent = (attempts: number): Rejection => ({
  reason: 'verification',
  detail: `verification failed ${String(attempts)} times`,
});

export interface VerifyOptions {
  /**
   * Runs right before every database write of the verification (taking the file's lease,
   * renewing or giving it back, the verdict's decision): a worker job's fence (its
   * `FenceGuard.beforeWrite()`), which throws once the job's lease is lost, else gives the
   * deadline the write carries, so that one reaching the database late changes nothing.
   */
  gate?: WriteGate;
}

const ungated: WriteGate = () => undefined;

/**
 * One verification of a completed multipart upload: takes the lease of one `verifying` file
 * (renewed while it works), streams the object back (constant memory) to prove its size and
 * whole-file SHA-256, sniffs its first bytes, then accepts or rejects it. Idempotent and safe to
 * kill at any point: nothing changes before the verdict's transition, and a lease that expires
 * is taken again by the next verification (on any worker replica). The verdict is decided only
 * while this verification still holds the file's lease, so a verifier that stalled past it
 * (paused, partitioned) leaves the file to the one that took it over. A file whose verification
 * keeps failing (or killing its worker) is rejected after MAX_VERIFY_ATTEMPTS.
 */
@Injectable()
export class FileVerifier {
  private readonly logger = new Logger(FileVerifier.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FileRepository,
    private readonly storage: StorageService,
    private readonly verdicts: FileVerdictService,
  ) {}

  /** Verifies one file if one is waiting; the file as settled, or null when none was. */
  async verifyOne(now = new Date(), options: VerifyOptions = {}): Promise<FileRecord | null> {
    const gate = options.gate ?? ungated;
    const leaseMs = this.config.files.verifyLeaseSeconds * SECOND_MS;
    const file = await this.files.leaseVerification(now, leaseMs, gate());
    if (file === null) return null;
    // Earlier attempts all ended without a verdict (they failed, or their worker died).
    if (file.verifyAttempts > MAX_VERIFY_ATTEMPTS) {
      return this.verdicts.reject(file, attemptsSpent(file.verifyAttempts - 1), new Date(), {
        gate,
      });
    }
    const lease = new VerificationLease(this.files, file.id, now, leaseMs, this.logger, gate);
    const fence: VerdictFence = { gate, beforeDecision: () => lease.assertHeld() };
    try {
      return await this.verify(file, fence);
    } catch (err) {
      await lease.stop();
      const rejected = await this.afterFailure(file, lease, err, gate);
      if (rejected === null) throw err;
      return rejected;
    } finally {
      await lease.stop();
    }
  }

  /** The verdict on a `verifying` file whose upload storage has completed. */
  async verify(file: FileRecord, fence: VerdictFence = {}): Promise<FileRecord> {
    const stored = await this.storage.readObjectSha256(file.storageKey);
    if (stored === null) return this.objectMissing(file, fence);
    const mismatch = integrityMismatch(file, { size: stored.size, sha256Hex: stored.sha256Hex });
    if (mismatch !== null) return this.verdicts.reject(file, mismatch, new Date(), fence);
    const head = await this.storage.getObjectRange(file.storageKey, 0, SNIFF_BYTES - 1);
    // Gone since the read-back: never sniffed as empty content.
    if (head === null) return this.objectMissing(file, fence);
    const contradiction = await this.verdicts.inspect(file, head);
    if (contradiction !== null) return this.verdicts.reject(file, contradiction, new Date(), fence);
    return this.verdicts.accept(file, new Date(), fence);
  }

  /** Deleted or decided meanwhile: that. Still verifying: the object is lost, a rejection. */
  private async objectMissing(file: FileRecord, fence: VerdictFence): Promise<FileRecord> {
    const moved = await this.verdicts.movedOn(file);
    if (moved !== null) return moved;
    return this.verdicts.reject(
      file,
      { reason: 'missing', detail: 'storage no longer holds the object' },
      new Date(),
      fence,
    );
  }

  /**
   * Storage unavailable: the attempt says nothing about the file, give it back (and the lease,
   * for the next try). The file's lease lost: another verification has the file now. Any other
   * failure counts; the last allowed one rejects the file, whose record is then returned (null:
   * the failure stands, the file waits for its next attempt). Writes nothing once `gate` throws
   * (that error then stands instead).
   */
  private async afterFailure(
    file: FileRecord,
    lease: VerificationLease,
    err: unknown,
    gate: WriteGate,
  ): Promise<FileRecord | null> {
    gate();
    if (err instanceof VerificationLeaseLostError) return null;
    if (err instanceof StorageUnavailableError) {
      const heldUntil = lease.heldUntil();
      if (heldUntil !== null) {
        await bestEffort(this.logger, `giving back the verification attempt of ${file.id}`, () =>
          this.files.releaseVerification(file.id, heldUntil, gate()),
        );
      }
      return null;
    }
    if (file.verifyAttempts < MAX_VERIFY_ATTEMPTS) return null;
    this.logger.warn(
      `verification of ${file.id} failed for the last time: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
    try {
      return await this.verdicts.reject(file, attemptsSpent(file.verifyAttempts), new Date(), {
        gate,
      });
    } catch {
      // Left verifying: the next lease (over the limit) rejects it without reading.
      return null;
    }
  }
}
