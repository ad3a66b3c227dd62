import { Inject, Injectable, Logger } from '@nestjs/common';
import { isPublicId, type DevicePrincipal, type Principal } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  FileDownloadsRepository,
  SessionFilesRepository,
  type FileRecord,
  type SessionRecord,
} from '@app/database';
import { PRESIGNER, type Presigner, type PresignedRequest } from '@app/storage';
import { DeviceAccessService } from '../device-access/index.js';
import { isLive } from '../sessions/index.js';
import { downloadedEvent, downloadGet, downloadResponse } from './download-handout.js';
import { DownloadsService } from './downloads.service.js';
import type { DownloadResponse } from './dto/download.response.js';
import { FileMetrics } from './file-metrics.js';

/**
 * POST /v1/files/:fileId/downloads. A device's grant in its own session is one conditional
 * increment: the session is the one its token check just read (live, the device active), and the
 * increment itself holds the file's checks (in that session, ready, under its limit), so nothing
 * is read first. The owner's grants, and any refusal of a device's, go through DownloadsService,
 * which reads the file and says why (404, 409 not ready, 410 limit or session), or grants if the
 * file changed in between.
 */
@Injectable()
export class DownloadGrantService {
  private readonly logger = new Logger(DownloadGrantService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRESIGNER) private readonly presigner: Presigner,
    private readonly counter: FileDownloadsRepository,
    private readonly sessionFiles: SessionFilesRepository,
    private readonly devices: DeviceAccessService,
    private readonly checked: DownloadsService,
    private readonly metrics: FileMetrics,
  ) {}

  async grant(principal: Principal, fileId: string): Promise<DownloadResponse> {
    if (principal.kind === 'device') {
      const granted = await this.inOwnSession(principal, fileId, new Date());
      if (granted !== null) return granted;
    }
    return this.checked.grant(principal, fileId);
  }

  /** The device's one-write grant; null when it did not count (the checked grant says why). */
  private async inOwnSession(
    device: DevicePrincipal,
    fileId: string,
    now: Date,
  ): Promise<DownloadResponse | null> {
    if (!isPublicId(fileId)) return null;
    const session = this.devices.sessionOf(device);
    if (session?.id !== device.sessionId || !isLive(session, now)) return null;
    const taken = await this.counter.take(fileId, session.id);
    if (taken === null) return null;
    const get = await this.signOrGiveBack(taken, session, now);
    this.metrics.downloadGranted();
    await this.sessionFiles.commitEvent(session.id, now, downloadedEvent(device, taken));
    return downloadResponse(get, taken);
  }

  // Signed after counting (the increment returned what the URL needs): a presign that fails
  // (storage credentials unavailable: 503) gives the download back, so it uses none up.
  private async signOrGiveBack(
    file: FileRecord,
    session: SessionRecord,
    now: Date,
  ): Promise<PresignedRequest> {
    try {
      return this.presigner.presignGet(
        downloadGet(file, session, this.config.files.downloadUrlTtlSeconds, now),
      );
    } catch (error) {
      await this.counter.giveBack(file.id).catch((giveBackError: unknown) => {
        this.logger.warn(
          `download of file ${file.id} stays counted though its URL could not be signed: ${
            giveBackError instanceof Error ? giveBackError.message : String(giveBackError)
          }`,
        );
      });
      throw error;
    }
  }
}
