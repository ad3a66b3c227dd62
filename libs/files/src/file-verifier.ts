import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileRepository, type FileRecord } from '@app/database';
import { StorageService } from '@app/storage';
import { FileVerdictService, SNIFF_BYTES } from './file-verdict.service.js';
import { integrityMismatch } from './rejection.js';

const SECOND_MS = 1000;

/**
 * One verification of a completed multipart upload: takes the lease of one `verifying` file,
 * streams the object back (constant memory) to prove its size and whole-file SHA-256, sniffs
 * its first bytes, then accepts or rejects it. Idempotent and safe to kill at any point: nothing
 * changes before the verdict's transition, and a lease that expires is taken again by the next
 * verification (on any worker replica).
 */
@Injectable()
export class FileVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FileRepository,
    private readonly storage: StorageService,
    private readonly verdicts: FileVerdictService,
  ) {}

  /** Verifies one file if one is waiting; the file as settled, or null when none was. */
  async verifyOne(now = new Date()): Promise<FileRecord | null> {
    const leaseMs = this.config.files.verifyLeaseSeconds * SECOND_MS;
    const file = await this.files.leaseVerification(now, leaseMs);
    if (file === null) return null;
    return this.verify(file);
  }

  /** The verdict on a `verifying` file whose upload storage has completed. */
  async verify(file: FileRecord): Promise<FileRecord> {
    const stored = await this.storage.readObjectSha256(file.storageKey);
    if (stored === null) return this.objectMissing(file);
    const mismatch = integrityMismatch(file, { size: stored.size, sha256Hex: stored.sha256Hex });
    if (mismatch !== null) return this.verdicts.reject(file, mismatch, new Date());
    const head = await this.storage.getObjectRange(file.storageKey, 0, SNIFF_BYTES - 1);
    // Gone since the read-back: never sniffed as empty content.
    if (head === null) return this.objectMissing(file);
    const contradiction = await this.verdicts.inspect(file, head);
    if (contradiction !== null) return this.verdicts.reject(file, contradiction, new Date());
    return this.verdicts.accept(file, new Date());
  }

  /** Deleted or decided meanwhile: that. Still verifying: the object is lost, a rejection. */
  private async objectMissing(file: FileRecord): Promise<FileRecord> {
    const moved = await this.verdicts.movedOn(file);
    if (moved !== null) return moved;
    return this.verdicts.reject(
      file,
      { reason: 'missing', detail: 'storage no longer holds the object' },
      new Date(),
    );
  }
}
