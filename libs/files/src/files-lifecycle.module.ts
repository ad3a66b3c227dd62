import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileDatabaseModule, QuotaDatabaseModule } from '@app/database';
import { ContentTypePolicy } from './content-type.js';
import { FileLifecycleMetrics } from './file-lifecycle-metrics.js';
import { FileReservations } from './file-reservations.js';
import { FileVerdictService } from './file-verdict.service.js';
import { FileVerifier } from './file-verifier.js';

/**
 * The file lifecycle steps the API (complete of a single upload) and the worker (read-back of a
 * multipart upload, rejection of an abandoned upload) share, and the content type
 * policy (CONTENT_TYPES_ALLOWED / _BLOCKED) both apply. Storage comes from the global
 * StorageModule.
 */
@Module({
  imports: [FileDatabaseModule, QuotaDatabaseModule],
  providers: [
    {
      provide: ContentTypePolicy,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new ContentTypePolicy(config.files.contentTypesAllowed, config.files.contentTypesBlocked),
    },
    FileLifecycleMetrics,
    FileReservations,
    FileVerdictService,
    FileVerifier,
  ],
  exports: [
    ContentTypePolicy,
    FileLifecycleMetrics,
    FileReservations,
    FileVerdictService,
    FileVerifier,
  ],
})
export class FilesLifecycleModule {}
