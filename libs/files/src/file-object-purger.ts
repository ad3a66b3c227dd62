import { Injectable, Logger } from '@nestjs/common';
import { FileRepository, type FileRecord } from '@app/database';
import { StorageService } from '@app/storage';
import { removeFileObject } from './file-object.js';

/** How long one purge holds its claim on a file (a worker that dies leaves it to the next). */
export const PURGE_CLAIM_MS = 5 * 60_000;

/**
 * The object purge of rejected and deleted files. Their object was removed when they were
 * decided, but an upload URL issued earlier stays valid until it expires: a client can PUT
 * through it again (If-None-Match passes on the now empty key), leaving an object nobody
 * accounts for. Once the last URL has expired, this removes the object (and aborts a multipart
 * upload) once more and records it (objectPurgedAt). One conditional claim per file keeps two
 * replicas off the same file; every step is idempotent, so a claim taken over after a crash
 * just repeats it.
 */
@Injectable()
export class FileObjectPurger {
  private readonly logger = new Logger(FileObjectPurger.name);

  constructor(
    private readonly files: FileRepository,
    private readonly storage: StorageService,
  ) {}

  /** Purges one file if one is due at `now`; the file purged, or null when none was. */
  async purgeOne(now = new Date()): Promise<FileRecord | null> {
    const file = await this.files.claimObjectPurge(now, PURGE_CLAIM_MS);
    if (file === null) return null;
    // Abort whatever the upload id: a part PUT in flight at the first abort can outlive it.
    await removeFileObject(this.storage, file, { abortUpload: true });
    await this.files.markObjectPurged(file.id, new Date());
    this.logger.debug(`object of ${file.status} file ${file.id} purged`);
    return file;
  }
}
