import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileRepository, type FileRecord, type MultipartUploadPlan } from '@app/database';
import { hexSha256ToBase64 } from '@app/files';
import { PRESIGNER, StorageObjectMissingError, StorageService, type Presigner } from '@app/storage';
import type { RequestPartsDto } from './dto/parts.dto.js';
import type { PartUrlsResponse, StoredPartsResponse } from './dto/parts.response.js';
import { FileAccessService, type FileInSession } from './file-access.service.js';
import { notMultipart, notPending, partOutsidePlan, uploadWindowClosed } from './files.errors.js';
import { partLength } from './policy/part-plan.js';
import { urlLifetimeSeconds } from './url-lifetime.js';

type MultipartFile = FileRecord & { upload: MultipartUploadPlan };

/** Part URLs and the parts storage holds, for the uploader of a pending multipart file. */
@Injectable()
export class PartsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRESIGNER) private readonly presigner: Presigner,
    private readonly files: FileRepository,
    private readonly storage: StorageService,
    private readonly access: FileAccessService,
  ) {}

  /** One URL per requested part, each binding that part's length and SHA-256. */
  async sign(
    principal: Principal,
    fileId: string,
    body: RequestPartsDto,
  ): Promise<PartUrlsResponse> {
    const now = new Date();
    const { file, session } = await this.open(principal, fileId, now);
    const { upload } = file;
    body.parts.forEach((part, i) => {
      if (part.partNumber > upload.partCount) {
        throw partOutsidePlan(`parts.${String(i)}.partNumber`, upload.partCount);
      }
    });
    const expiresInSeconds = urlLifetimeSeconds(
      this.config.files.uploadUrlTtlSeconds,
      now,
      file.uploadExpiresAt,
      session.expiresAt,
    );
    const parts = body.parts.map((part) => {
      const signed = this.presigner.presignUploadPart({
        key: file.storageKey,
        uploadId: upload.uploadId,
        partNumber: part.partNumber,
        contentLength: partLength({ ...upload, size: file.size }, part.partNumber),
        sha256Base64: hexSha256ToBase64(part.sha256),
        expiresInSeconds,
      });
      return { partNumber: part.partNumber, url: signed.url, headers: signed.headers, signed };
    });
    // Recorded before any URL is handed out, and only while the file is pending: the worker's
    // object purge of a deleted file waits until the last URL issued has expired.
    const latest = Math.max(...parts.map((p) => p.signed.expiresAt.getTime()));
    if ((await this.files.noteUploadUrl(file.id, new Date(latest))) === null) {
      throw notPending((await this.files.findById(file.id))?.status ?? 'deleted');
    }
    return {
      parts: parts.map(({ partNumber, url, headers, signed }) => ({
        partNumber,
        url,
        headers,
        expiresAt: signed.expiresAt.toISOString(),
      })),
    };
  }

  /** What storage already holds (ListParts, every page), to resume from any replica. */
  async stored(principal: Principal, fileId: string): Promise<StoredPartsResponse> {
    const { file } = await this.open(principal, fileId, new Date());
    const parts = await this.storage
      .listParts(file.storageKey, file.upload.uploadId)
      .catch((err: unknown) => {
        // Completed (or aborted) meanwhile: there is nothing left to resume.
        if (err instanceof StorageObjectMissingError) throw notPending(file.status);
        throw err;
      });
    return {
      parts: parts
        .map((p) => ({ partNumber: p.partNumber, size: p.size, etag: p.etag }))
        .sort((a, b) => a.partNumber - b.partNumber),
    };
  }

  private async open(
    principal: Principal,
    fileId: string,
    now: Date,
  ): Promise<FileInSession & { file: MultipartFile }> {
    const found = await this.access.uploaded(principal, fileId);
    this.access.assertLive(found.session, now);
    const { file } = found;
    if (file.status !== 'pending') throw notPending(file.status);
    if (file.upload.mode !== 'multipart') throw notMultipart();
    if (file.uploadExpiresAt.getTime() <= now.getTime()) throw uploadWindowClosed();
    return { session: found.session, file: { ...file, upload: file.upload } };
  }
}
