import { Injectable } from '@nestjs/common';
import { sharedCounter, type UploadMode } from '@app/files';

const STARTED_NAME = 'sharexpress_uploads_started_total';
const GRANTED_NAME = 'sharexpress_downloads_granted_total';
const QUOTA_NAME = 'sharexpress_quota_refusals_total';

/**
 * The API's file counters (prom-client default registry). Completed, rejected and verified
 * bytes are counted where the verdict falls, by FileLifecycleMetrics (@app/files).
 */
@Injectable()
export class FileMetrics {
  private readonly started = sharedCounter(STARTED_NAME, 'Uploads declared and signed, by mode', [
    'mode',
  ]);
  private readonly granted = sharedCounter(GRANTED_NAME, 'Download URLs granted');
  private readonly quota = sharedCounter(QUOTA_NAME, 'Declares refused by the daily quota');

  constructor() {
    for (const mode of ['single', 'multipart'] as const) this.started.inc({ mode }, 0);
  }

  uploadStarted(mode: UploadMode): void {
    this.started.inc({ mode });
  }

  downloadGranted(): void {
    this.granted.inc();
  }

  quotaRefused(): void {
    this.quota.inc();
  }
}
