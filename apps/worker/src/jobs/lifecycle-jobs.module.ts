import { Module } from '@nestjs/common';
import { LifecycleDatabaseModule } from '@app/database';
import { FilesLifecycleModule } from '@app/files';
import { ExpireSessionsJob } from './expire-sessions.job.js';
import { LIFECYCLE_JOBS, type LifecycleJob } from './lifecycle-job.js';
import { PruneRecordsJob } from './prune-records.job.js';
import { PurgeFilesJob } from './purge-files.job.js';
import { ReconcileStorageJob } from './reconcile-storage.job.js';
import { SweepUploadsJob } from './sweep-uploads.job.js';
import { VerifyUploadsJob } from './verify-uploads.job.js';

const JOBS = [
  ExpireSessionsJob,
  PurgeFilesJob,
  SweepUploadsJob,
  VerifyUploadsJob,
  ReconcileStorageJob,
  PruneRecordsJob,
];

/**
 * The worker's six lifecycle jobs, as LIFECYCLE_JOBS (an array of LifecycleJob) for the runner
 * that schedules them under their leases. Needs the config, the database connection and the
 * global StorageModule.
 */
@Module({
  imports: [FilesLifecycleModule, LifecycleDatabaseModule],
  providers: [
    ...JOBS,
    {
      provide: LIFECYCLE_JOBS,
      useFactory: (...jobs: LifecycleJob[]): LifecycleJob[] => jobs,
      inject: JOBS,
    },
  ],
  exports: [LIFECYCLE_JOBS, ...JOBS],
})
export class LifecycleJobsModule {}
