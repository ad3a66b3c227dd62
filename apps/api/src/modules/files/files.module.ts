import { Module } from '@nestjs/common';
import { FileDatabaseModule, QuotaDatabaseModule } from '@app/database';
import { FilesLifecycleModule } from '@app/files';
import { DeviceAccessModule } from '../device-access/index.js';
import { SessionsModule } from '../sessions/index.js';
import { CompleteService } from './complete.service.js';
import { ContentTypeCheck } from './content-type.check.js';
import { DeclareService } from './declare.service.js';
import { DownloadGrantService } from './download-grant.service.js';
import { DownloadsService } from './downloads.service.js';
import { FileAccessService } from './file-access.service.js';
import { FileCompleteController } from './file-complete.controller.js';
import { FileDownloadsController } from './file-downloads.controller.js';
import { FileMetrics } from './file-metrics.js';
import { FilePartsController } from './file-parts.controller.js';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';
import { PartsService } from './parts.service.js';
import { SessionFilesController } from './session-files.controller.js';

/**
 * Files: declare (quota and session reservations, signed upload), parts, complete (verified by
 * storage's checksums; multipart read back by the worker), download grants, list, get, delete.
 * Bytes never pass through the API: clients talk to storage through presigned URLs.
 */
@Module({
  imports: [
    FileDatabaseModule,
    QuotaDatabaseModule,
    FilesLifecycleModule,
    SessionsModule,
    DeviceAccessModule,
  ],
  controllers: [
    SessionFilesController,
    FilePartsController,
    FileCompleteController,
    FileDownloadsController,
    FilesController,
  ],
  providers: [
    FileAccessService,
    ContentTypeCheck,
    DeclareService,
    PartsService,
    CompleteService,
    DownloadsService,
    DownloadGrantService,
    FilesService,
    FileMetrics,
  ],
})
export class FilesModule {}
