import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@app/common';
import {
  FileRepository,
  SessionFilesRepository,
  type FileRecord,
  type FileStatus,
} from '@app/database';
import { FileReservations, removeFileObject } from '@app/files';
import { StorageService } from '@app/storage';
import { SessionAccessService } from '../sessions/index.js';
import type { FilePageResponse } from './dto/file-page.response.js';
import { toFileResponse, type FileResponse } from './dto/file.response.js';
import { FILE_PAGE_DEFAULT, type ListFilesQuery } from './dto/list-files.query.js';
import { FileAccessService } from './file-access.service.js';
import { fileBusy } from './files.errors.js';

const OWNER_SEES: FileStatus[] = ['pending', 'verifying', 'ready', 'rejected'];
const DEVICE_SEES: FileStatus[] = ['ready'];
// A delete that keeps losing to concurrent transitions (complete, verifier) tries again this often.
const DELETE_ATTEMPTS = 4;

/** List, read and delete files. */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    private readonly files: FileRepository,
    private readonly sessionFiles: SessionFilesRepository,
    private readonly reservations: FileReservations,
    private readonly storage: StorageService,
    private readonly sessions: SessionAccessService,
    private readonly access: FileAccessService,
  ) {}

  /** Oldest first: the owner sees every file but deleted ones, devices only ready ones. */
  async list(
    principal: Principal,
    sessionId: string,
    query: ListFilesQuery,
  ): Promise<FilePageResponse> {
    const session = await this.sessions.readable(principal, sessionId);
    const page = await this.files.listBySession(
      session.id,
      principal.kind === 'user' ? OWNER_SEES : DEVICE_SEES,
      query.limit ?? FILE_PAGE_DEFAULT,
      query.cursor ?? null,
    );
    return {
      items: page.items.map((file) => toFileResponse(file, session)),
      nextCursor: page.nextCursor,
    };
  }

  async get(principal: Principal, fileId: string): Promise<FileResponse> {
    const { file, session } = await this.access.readable(principal, fileId);
    return toFileResponse(file, session);
  }

  /**
   * Object first, record second: the object (or the open multipart upload) is removed, then the
   * file becomes deleted and gives its session room back, and its daily quota if it never became
   * ready (each best effort: a failed give-back is logged, never skips the other nor the event).
   * Deleting a deleted file is a no-op. An upload URL still valid could write the key again: the
   * worker's object purge removes it once more after the URL has expired.
   */
  async delete(principal: Principal, fileId: string): Promise<void> {
    const now = new Date();
    const found = await this.access.find(principal, fileId);
    this.access.assertLive(found.session, now);
    let file: FileRecord | null = found.file;
    for (let attempt = 0; attempt < DELETE_ATTEMPTS && file !== null; attempt++) {
      if (file.status === 'deleted') return;
      await this.removeObject(file);
      const deleted = await this.files.transition(file.id, [file.status], 'deleted', now);
      if (deleted !== null) {
        await this.release(file);
        await this.sessionFiles.recordEvent(file.sessionId, now, {
          type: 'file.deleted',
          data: { fileId: file.id },
        });
        return;
      }
      // Its status changed meanwhile (completed, verified, deleted): go again from there.
      file = await this.files.findById(file.id);
    }
    if (file !== null && file.status !== 'deleted') {
      this.logger.warn(`file ${file.id} kept changing while being deleted`);
      throw fileBusy();
    }
  }

  private async removeObject(file: FileRecord): Promise<void> {
    // A rejected file's object was removed when it was rejected (and is purged again later).
    if (file.status === 'rejected') return;
    await removeFileObject(this.storage, file);
  }

  /** A rejected file gave everything back already; a ready one keeps its day's quota used. */
  private async release(file: FileRecord): Promise<void> {
    if (file.status === 'rejected') return;
    await this.reservations.giveBack(file, { quota: file.status !== 'ready' });
  }
}
