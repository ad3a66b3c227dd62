import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { LIFECYCLE_JOBS, type LifecycleJob } from '../lifecycle-job.js';
import { HEALTHY_WITHIN_INTERVALS, JobHeartbeats } from './job-heartbeats.js';

/**
 * The `jobs` entry of the worker's /health/ready: up while every job had a healthy tick (a
 * completed run, its lease found held by another replica, or the job found not due because a run
 * completed less than an interval ago) within three of its intervals.
 * It reads the runner's heartbeats only, never the database, so it answers at once whatever
 * MongoDB does (the `mongo` entry reports that).
 */
@Injectable()
export class JobsHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(JobHeartbeats) private readonly heartbeats: JobHeartbeats,
    @Inject(LIFECYCLE_JOBS) private readonly jobs: readonly LifecycleJob[],
  ) {}

  isHealthy<const Key extends string = 'jobs'>(
    key: Key = 'jobs' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const report = this.heartbeats.report(this.jobs.map((job) => job.name));
    const details: Record<string, unknown> = {};
    for (const beat of report) {
      details[beat.job] = {
        healthy: beat.healthy,
        lastHealthyAt: beat.lastHealthyAt.toISOString(),
        intervalSeconds: beat.intervalSeconds,
      };
    }
    const late = report.filter((beat) => !beat.healthy).map((beat) => beat.job);
    const indicator = this.health.check(key);
    return Promise.resolve(
      late.length === 0
        ? indicator.up(details)
        : indicator.down({
            ...details,
            message: `no healthy run within ${String(HEALTHY_WITHIN_INTERVALS)} intervals: ${late.join(', ')}`,
          }),
    );
  }
}
