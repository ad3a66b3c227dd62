import { Module } from '@nestjs/common';
import { FileDatabaseModule, QuotaDatabaseModule } from '@app/database';
import { FileLifecycleMetrics } from './file-lifecycle-metrics.js';
import { FileVerdictService } from './file-verdict.service.js';
import { FileVerifier } from './file-verifier.js';

/**
 * The file lifecycle steps the API (complete of a single upload) and the worker (read-back of a
 * multipart upload) share. Storage comes from the global StorageModule.
 */
@Module({
  imports: [FileDatabaseModule, QuotaDatabaseModule],
  providers: [FileLifecycleMetrics, FileVerdictService, FileVerifier],
  exports: [FileLifecycleMetrics, FileVerdictService, FileVerifier],
})
export class FilesLifecycleModule {}
