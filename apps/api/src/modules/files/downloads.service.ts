import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileRepository, SessionFilesRepository } from '@app/database';
import { PRESIGNER, type Presigner } from '@app/storage';
import { downloadedEvent, downloadGet, downloadResponse } from './download-handout.js';
import type { DownloadResponse } from './dto/download.response.js';
import { FileAccessService } from './file-access.service.js';
import { FileMetrics } from './file-metrics.js';
import { downloadLimitReached, fileNotFound, notReady } from './files.errors.js';

/**
 * A download grant with every check read first: the file and its session are read, a presigned
 * GET is signed, then one atomic conditional increment of the file's counter (the URL is handed
 * out only when it counted). The owner's grants, and what explains any refusal of a device's
 * one-write grant (DownloadGrantService).
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
    // Downloads only grow (but for one given back when signing failed): a file read at its
    // limit is refused without signing or trying the increment.
    if (file.downloads >= file.maxDownloads) throw downloadLimitReached();
    // Signed first: a presign that fails (storage credentials unavailable: 503) must not use up
    // one of the file's downloads.
    const get = this.presigner.presignGet(
      downloadGet(file, session, this.config.files.downloadUrlTtlSeconds, now),
    );
    const grant = await this.files.grantDownload(file.id);
    if (!grant.ok) {
      if (grant.reason === 'limit_reached') throw downloadLimitReached();
      if (grant.reason === 'not_ready') throw notReady(file.status);
      throw fileNotFound();
    }
    this.metrics.downloadGranted();
    await this.sessionFiles.commitEvent(session.id, now, downloadedEvent(principal, grant.file));
    return downloadResponse(get, grant.file);
  }
}
