import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule, type AppConfig } from '@app/config';
import { HealthModule, LoggingModule, MetricsModule } from '@app/common';
import { DatabaseHealthIndicator, DatabaseModule } from '@app/database';
import { StorageHealthIndicator, StorageModule } from '@app/storage';
import { FilesLifecycleModule } from '@app/files';
import { FileVerificationJob } from './jobs/file-verification.job.js';
import { ObjectPurgeJob } from './jobs/object-purge.job.js';

/**
 * The worker: background jobs (the verifier of completed multipart uploads, which leases one
 * file at a time; the object purge of rejected and deleted files once their upload URLs have
 * expired, one claim per file; cleanup and reconciliation as they land, each behind a MongoDB lease so one
 * replica runs it per tick) plus the same /health and /metrics
 * endpoints as the API, so orchestrators probe and scrape both alike. It serves no product
 * route, so it needs no auth guard.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule.forRoot(),
        StorageModule.forRoot(),
        HealthModule.forRoot([
          { key: 'mongo', indicator: DatabaseHealthIndicator },
          { key: 'storage', indicator: StorageHealthIndicator },
        ]),
        MetricsModule,
        ScheduleModule.forRoot(),
        FilesLifecycleModule,
      ],
      providers: [FileVerificationJob, ObjectPurgeJob],
    };
  }
}
