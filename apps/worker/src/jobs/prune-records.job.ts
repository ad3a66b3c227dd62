import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FileLifecycleRepository, SessionLifecycleRepository } from '@app/database';
import type { JobRun, LifecycleJob } from './lifecycle-job.js';

/** Prunable sessions read per batch. */
export const PRUNE_BATCH = 100;

/**
 * Removes ended sessions (with their events) once their files were purged more than
 * SESSION_RETENTION_SECONDS ago. What expires by itself is left to MongoDB's TTL indexes:
 * pairings (purgeAt), refresh tokens, rate-limit windows and login attempts (expiresAt), and
 * quota days (purgeAt); this job prunes only what no TTL covers, the events and documents of
 * ended sessions. A session that gained a file record after its purge (a declare that raced its
 * close) is handed back to the purge instead. Returns the sessions pruned or handed back.
 */
@Injectable()
export class PruneRecordsJob implements LifecycleJob {
  readonly name = 'prune-records' as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionLifecycleRepository,
    private readonly files: FileLifecycleRepository,
  ) {}

  async run(run: JobRun): Promise<number> {
    const purgedBefore = new Date(
      run.now.getTime() - this.config.jobs.sessionRetentionSeconds * 1000,
    );
    let done = 0;
    for (;;) {
      const ids = await this.sessions.findPrunable(purgedBefore, PRUNE_BATCH);
      let changed = 0;
      for (const id of ids) {
        const late = await this.files.findBySessions([id], 1);
        const fence = run.guard.beforeWrite();
        if (late.length > 0) {
          if (await this.sessions.reopenPurge(id, fence)) changed++;
        } else if (await this.sessions.prune(id, purgedBefore, fence)) {
          changed++;
        }
      }
      done += changed;
      // A full batch of which nothing changed would come back the same.
      if (ids.length < PRUNE_BATCH || changed === 0) return done;
    }
  }
}
