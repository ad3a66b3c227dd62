import { Injectable } from '@nestjs/common';
import { AppError, isPublicId, type Principal } from '@app/common';
import { FileRepository, type FileRecord, type SessionRecord } from '@app/database';
import { SessionAccessService } from '../sessions/index.js';
import { fileNotFound, notUploader } from './files.errors.js';

export interface FileInSession {
  file: FileRecord;
  session: SessionRecord;
}

/** Whether `principal` declared `file` (the same user, or the same device). */
export const isUploader = (principal: Principal, file: FileRecord): boolean =>
  principal.kind === 'user'
    ? file.uploadedBy.kind === 'user' && file.uploadedBy.id === principal.userId
    : file.uploadedBy.kind === 'device' && file.uploadedBy.id === principal.deviceId;

/**
 * Object-level access to a file, for every route under /v1/files/:fileId. The session's owner
 * sees every file but deleted ones; a device of the session sees its ready files and those it
 * declared itself (whatever their status). Unknown, malformed, deleted, foreign and invisible files all answer 404.
 */
@Injectable()
export class FileAccessService {
  constructor(
    private readonly files: FileRepository,
    private readonly sessions: SessionAccessService,
  ) {}

  /** The file (deleted ones too) and its session, when `principal` may see it; else 404. */
  async find(principal: Principal, fileId: string): Promise<FileInSession> {
    if (!isPublicId(fileId)) throw fileNotFound();
    const file = await this.files.findById(fileId);
    if (file === null || !this.mayAddress(principal, file)) throw fileNotFound();
    // The session read (or, for a device, the one its token check read) confirms ownership.
    // Only its 404 becomes the file's; anything else (the database down: 503) stays what it is.
    const session = await this.sessions
      .readable(principal, file.sessionId)
      .catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'NOT_FOUND') throw fileNotFound();
        throw err;
      });
    return { file, session };
  }

  /** As find(), but a deleted file is 404 too. */
  async readable(principal: Principal, fileId: string): Promise<FileInSession> {
    const found = await this.find(principal, fileId);
    if (found.file.status === 'deleted') throw fileNotFound();
    return found;
  }

  /** A file `principal` declared: parts and complete. Someone who only sees it → 403. */
  async uploaded(principal: Principal, fileId: string): Promise<FileInSession> {
    const found = await this.readable(principal, fileId);
    if (!isUploader(principal, found.file)) throw notUploader();
    return found;
  }

  /** Refuses writes and downloads on a session that is not active at `now` (410). */
  assertLive(session: SessionRecord, now: Date): void {
    this.sessions.assertLive(session, now);
  }

  private mayAddress(principal: Principal, file: FileRecord): boolean {
    if (principal.kind === 'user') return file.ownerId === principal.userId;
    if (file.sessionId !== principal.sessionId) return false;
    // Deleted ones too, so that a second DELETE answers 204 as the first did.
    return file.status === 'ready' || file.status === 'deleted' || isUploader(principal, file);
  }
}
