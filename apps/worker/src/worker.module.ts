import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule, type AppConfig } from '@app/config';
import { HealthModule, LoggingModule, MetricsModule } from '@app/common';
import { DatabaseHealthIndicator, DatabaseModule } from '@app/database';
import { StorageHealthIndicator, StorageModule } from '@app/storage';
import { LifecycleJobsModule } from './jobs/lifecycle-jobs.module.js';
import { JobRunnerModule } from './jobs/runner/job-runner.module.js';
import { JobsHealthIndicator } from './jobs/runner/jobs-health.indicator.js';

/**
 * The worker: the six lifecycle jobs (expiry, purge, upload sweep, verification, reconciliation,
 * pruning), each run on its interval under a MongoDB lease so that one replica runs it per tick,
 * plus the same /health and /metrics endpoints as the API, so orchestrators probe and scrape both
 * alike; its readiness also reports whether every job ran lately (`jobs`). It serves no product
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
          { key: 'jobs', indicator: JobsHealthIndicator },
        ]),
        MetricsModule,
        ScheduleModule.forRoot(),
        JobRunnerModule.forJobs(LifecycleJobsModule),
      ],
    };
  }
}
