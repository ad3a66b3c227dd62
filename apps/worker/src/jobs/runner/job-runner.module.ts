import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { LeaseDatabaseModule } from '@app/database';
import { BucketLifecycleSetup } from './bucket-lifecycle.setup.js';
import { JobHeartbeats } from './job-heartbeats.js';
import { JobMetrics } from './job-metrics.js';
import { JobRunner } from './job-runner.js';
import { JobsHealthIndicator } from './jobs-health.indicator.js';

/**
 * The runner of the worker's lifecycle jobs, its metrics, its `jobs` readiness indicator and the
 * bucket lifecycle rule put at startup. `jobs` is the module that exports LIFECYCLE_JOBS (the
 * worker's LifecycleJobsModule; fakes in tests). Needs ScheduleModule.forRoot(), the config,
 * the database and storage modules. Global so that HealthModule.forRoot can name
 * JobsHealthIndicator, like the database's and storage's indicators.
 */
@Module({})
export class JobRunnerModule {
  static forJobs(jobs: Type | DynamicModule): DynamicModule {
    return {
      module: JobRunnerModule,
      global: true,
      imports: [jobs, LeaseDatabaseModule],
      providers: [
        HealthIndicatorService,
        JobMetrics,
        JobHeartbeats,
        JobsHealthIndicator,
        JobRunner,
        BucketLifecycleSetup,
      ],
      exports: [JobsHealthIndicator],
    };
  }
}
