import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileRepository, SessionFilesRepository } from '@app/database';
import { PRESIGNER, type Presigner } from '@app/storage';
import type { DownloadResponse } from './dto/download.response.js';
import { FileAccessService } from './file-access.service.js';
import { FileMetrics } from './file-metrics.js';
import { downloadLimitReached, fileNotFound, notReady } from './files.errors.js';
import { contentDispositionAttachment } from './policy/content-disposition.js';
import { urlLifetimeSeconds } from './url-lifetime.js';

/**
 * Download grants: a presigned GET, then one atomic conditional increment of the file's counter
 * (the URL is handed out only when it counted). The GET is valid for about a minute, never past
 * the session's expiry, and makes storage answer as an attachment with the stored type.
 */
@Injectable()
export class DownloadsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRESIGNER) private readonly presigner: Presigner,
    private readonly files: FileRepository,
    private readonly sessionFiles: SessionFilesRepository,
    private readonly access: FileAccessService,
    private readonly metrics: FileMetrics,
  ) {}

  async grant(principal: Principal, fileId: string): Promise<DownloadResponse> {
    const now = new Date();
    const { file, session } = await this.access.readable(principal, fileId);
    this.access.assertLive(session, now);
    if (file.status !== 'ready') throw notReady(file.status);
    // Signed first, from what never changes on a file (key, name, type): a presign that fails
    // (storage credentials unavailable: 503) must not use up one of the file's downloads.
    const get = this.presigner.presignGet({
      key: file.storageKey,
      // Never past the session's end: the file can no longer be downloaded then.
      expiresInSeconds: urlLifetimeSeconds(
        this.config.files.downloadUrlTtlSeconds,
        now,
        session.expiresAt,
      ),
      responseContentDisposition: contentDispositionAttachment(file.name),
      responseContentType: file.contentType,
    });
    const grant = await this.files.grantDownload(file.id);
    if (!grant.ok) {
      if (grant.reason === 'limit_reached') throw downloadLimitReached();
      if (grant.reason === 'not_ready') throw notReady(file.status);
      throw fileNotFound();
    }
    const granted = grant.file;
    this.metrics.downloadGranted();
    await this.sessionFiles.recordEvent(session.id, now, {
      type: 'file.downloaded',
      // Who took it: a device's id (the owner's devices list names it), none for the owner.
      data: {
        fileId: granted.id,
        downloads: granted.downloads,
        ...(principal.kind === 'device' ? { deviceId: principal.deviceId } : {}),
      },
    });
    return {
      url: get.url,
      expiresAt: get.expiresAt.toISOString(),
      remainingDownloads: Math.max(0, granted.maxDownloads - granted.downloads),
    };
  }
}
