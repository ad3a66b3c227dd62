import { Inject, Injectable, Logger } from '@nestjs/common';
import { newPublicId, type Principal } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  FileRepository,
  QuotaRepository,
  SessionFilesRepository,
  type FileRecord,
  type FileSlotResult,
  type SessionRecord,
  type UploadPlan,
} from '@app/database';
import { bestEffort, hexSha256ToBase64, storageKeyOf } from '@app/files';
import { PRESIGNER, StorageService, type Presigner } from '@app/storage';
import { SessionAccessService } from '../sessions/index.js';
import type { DeclareFileDto } from './dto/declare-file.dto.js';
import { fileExpiresAt, toFileResponse } from './dto/file.response.js';
import type { DeclaredFileResponse, UploadResponse } from './dto/upload.response.js';
import { FileMetrics } from './file-metrics.js';
import {
  fileTooLarge,
  invalidName,
  quotaExceeded,
  sessionBytesExhausted,
  sessionFilesExhausted,
  sessionInactive,
} from './files.errors.js';
import { ContentTypeCheck } from './content-type.check.js';
import { planParts } from './policy/part-plan.js';
import { sanitizeFileName } from './policy/file-name.js';
import { secondsUntilNextUtcDay, utcDay } from './policy/quota-day.js';
import { urlLifetimeSeconds } from './url-lifetime.js';

const SECOND_MS = 1000;

interface Signed {
  upload: UploadResponse;
  urlExpiresAt: Date | null;
}

function slotRefusal(result: Exclude<FileSlotResult, { ok: true }>, limit: number): Error {
  switch (result.reason) {
    case 'not_found':
    case 'inactive':
      return sessionInactive();
    case 'too_many_files':
      return sessionFilesExhausted();
    case 'too_many_bytes':
      return sessionBytesExhausted();
    case 'file_too_large':
      return fileTooLarge(limit);
  }
}

/**
 * Declare: checks the session, the name, the type and the size, reserves the owner's daily quota
 * and the session's room (each one conditional atomic update), plans and records the upload, and
 * signs it. Whatever fails after a reservation gives it back.
 */
@Injectable()
export class DeclareService {
  private readonly logger = new Logger(DeclareService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRESIGNER) private readonly presigner: Presigner,
    private readonly storage: StorageService,
    private readonly files: FileRepository,
    private readonly sessionFiles: SessionFilesRepository,
    private readonly quotas: QuotaRepository,
    private readonly sessions: SessionAccessService,
    private readonly contentTypes: ContentTypeCheck,
    private readonly metrics: FileMetrics,
  ) {}

  async declare(
    principal: Principal,
    sessionId: string,
    body: DeclareFileDto,
  ): Promise<DeclaredFileResponse> {
    const now = new Date();
    const session = await this.sessions.readable(principal, sessionId);
    this.sessions.assertLive(session, now);
    const name = sanitizeFileName(body.name);
    if (name === null || name === '') throw invalidName();
    const contentType = this.contentTypes.check(body.contentType);
    const limit = Math.min(this.config.files.maxFileBytes, session.limits.maxFileBytes);
    if (body.size > limit) throw fileTooLarge(limit);

    const day = utcDay(now);
    const reserved = await this.quotas.reserve(session.ownerId, day, 1, body.size, {
      files: this.config.quota.dailyFiles,
      bytes: this.config.quota.dailyBytes,
    });
    if (!reserved) {
      this.metrics.quotaRefused();
      throw quotaExceeded(secondsUntilNextUtcDay(now));
    }
    const releaseQuota = () => this.quotas.release(session.ownerId, day, 1, body.size);
    const slot = await this.sessionFiles
      .reserve(session.id, body.size, now)
      .catch(async (err: unknown) => {
        await bestEffort(this.logger, 'quota release', releaseQuota);
        throw err;
      });
    if (!slot.ok) {
      await bestEffort(this.logger, 'quota release', releaseQuota);
      throw slotRefusal(slot, limit);
    }

    const id = newPublicId();
    const storageKey = storageKeyOf(session.id, id);
    const uploadExpiresAt = new Date(
      now.getTime() + this.config.files.uploadWindowSeconds * SECOND_MS,
    );
    let plan: UploadPlan | undefined;
    let file: FileRecord;
    let signed: Signed;
    try {
      plan = await this.plan(storageKey, body.size, contentType);
      // Signed before the record is written, so that the record knows when the URL expires
      // (the worker's object purge waits for it) before anyone can hold the URL.
      signed = this.sign(
        { storageKey, size: body.size, contentType, sha256: body.sha256, upload: plan },
        uploadExpiresAt,
        session,
        now,
      );
      file = await this.files.create({
        id,
        sessionId: session.id,
        ownerId: session.ownerId,
        uploadedBy:
          principal.kind === 'user'
            ? { kind: 'user', id: principal.userId }
            : { kind: 'device', id: principal.deviceId },
        name,
        contentType,
        size: body.size,
        sha256: body.sha256,
        storageKey,
        upload: plan,
        uploadExpiresAt,
        uploadUrlExpiresAt: signed.urlExpiresAt,
        quotaDay: day,
        maxDownloads: session.limits.maxDownloadsPerFile,
        createdAt: now,
      });
    } catch (err) {
      await this.undo(session, body.size, releaseQuota, storageKey, plan);
      throw err;
    }
    this.metrics.uploadStarted(plan.mode);
    await this.sessionFiles.recordEvent(session.id, now, {
      type: 'file.declared',
      data: { fileId: id, name, size: body.size, contentType },
    });
    return { file: toFileResponse(file, session), upload: signed.upload };
  }

  private async plan(key: string, size: number, contentType: string): Promise<UploadPlan> {
    const planned = planParts(size, this.config.files.multipartThresholdBytes);
    if (planned.mode === 'single') return planned;
    const { partSize, partCount } = planned;
    const { uploadId } = await this.storage.createMultipartUpload({
      key,
      contentType,
      checksumSha256: true,
    });
    return { mode: 'multipart', uploadId, partSize, partCount };
  }

  /** The upload instructions, and when the URL in them expires (null: part URLs come later). */
  private sign(
    file: Pick<FileRecord, 'storageKey' | 'size' | 'contentType' | 'sha256' | 'upload'>,
    uploadExpiresAt: Date,
    session: SessionRecord,
    now: Date,
  ): Signed {
    if (file.upload.mode === 'multipart') {
      return {
        upload: {
          mode: 'multipart',
          partSize: file.upload.partSize,
          partCount: file.upload.partCount,
          expiresAt: fileExpiresAt({ status: 'pending', uploadExpiresAt }, session).toISOString(),
        },
        urlExpiresAt: null,
      };
    }
    const put = this.presigner.presignPut({
      key: file.storageKey,
      contentLength: file.size,
      contentType: file.contentType,
      sha256Base64: hexSha256ToBase64(file.sha256),
      ifNoneMatch: true,
      expiresInSeconds: urlLifetimeSeconds(
        this.config.files.uploadUrlTtlSeconds,
        now,
        uploadExpiresAt,
        session.expiresAt,
      ),
    });
    return {
      upload: {
        mode: 'single',
        method: 'PUT',
        url: put.url,
        headers: put.headers,
        expiresAt: put.expiresAt.toISOString(),
      },
      urlExpiresAt: put.expiresAt,
    };
  }

  private async undo(
    session: SessionRecord,
    size: number,
    releaseQuota: () => Promise<void>,
    key: string,
    plan: UploadPlan | undefined,
  ): Promise<void> {
    // A failing give-back must not hide the error that caused it.
    if (plan?.mode === 'multipart') {
      await bestEffort(this.logger, 'multipart abort', () =>
        this.storage.abortMultipartUpload(key, plan.uploadId),
      );
    }
    await bestEffort(this.logger, 'session release', () =>
      this.sessionFiles.release(session.id, size),
    );
    await bestEffort(this.logger, 'quota release', releaseQuota);
  }
}
