import { Injectable, Logger } from '@nestjs/common';
import { QuotaRepository, SessionFilesRepository, type FileRecord } from '@app/database';
import { bestEffort } from './file-object.js';

/**
 * Gives back what a file reserved once its fate is decided (rejected, deleted): the session's
 * file slot and bytes, and, when `quota`, the owner's daily quota. Each give-back is best
 * effort and independent: one that fails is logged and never skips the other, nor what the
 * caller does next (recording the event).
 */
@Injectable()
export class FileReservations {
  private readonly logger = new Logger(FileReservations.name);

  constructor(
    private readonly sessionFiles: SessionFilesRepository,
    private readonly quotas: QuotaRepository,
  ) {}

  async giveBack(
    file: Pick<FileRecord, 'id' | 'sessionId' | 'ownerId' | 'quotaDay' | 'size'>,
    options: { quota: boolean },
  ): Promise<void> {
    await bestEffort(this.logger, `releasing the session reservation of file ${file.id}`, () =>
      this.sessionFiles.release(file.sessionId, file.size),
    );
    if (!options.quota) return;
    await bestEffort(this.logger, `releasing the daily quota of file ${file.id}`, () =>
      this.quotas.release(file.ownerId, file.quotaDay, 1, file.size),
    );
  }
}
