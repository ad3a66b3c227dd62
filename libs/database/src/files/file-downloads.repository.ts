import type { FileRecord } from './file.repository.js';

/**
 * A file's download counter for a grant whose every check fits in the increment itself (a
 * device's grant in the session its token check just read): no read before it. A refusal says
 * nothing of why; the caller reads the file to tell (FileRepository.grantDownload does both).
 */
export abstract class FileDownloadsRepository {
  /**
   * One atomic conditional increment of `downloads` of file `id` if it is in session
   * `sessionId`, ready, and under its own maxDownloads: the record with the new count. Null when
   * nothing matched; nothing was counted then.
   */
  abstract take(id: string, sessionId: string): Promise<FileRecord | null>;

  /**
   * Gives back a download `take` counted for a URL that could not be handed out (signing failed).
   * Never below zero.
   */
  abstract giveBack(id: string): Promise<void>;
}
