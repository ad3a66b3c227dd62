import { Injectable } from '@nestjs/common';
import { SessionLifecycleRepository } from '@app/database';
import type { JobRun, LifecycleJob } from './lifecycle-job.js';

/** Sessions expired per conditional update batch. */
export const EXPIRE_BATCH = 500;

/**
 * Moves active sessions past their expiresAt to `expired` (each recording `session.expired`), in
 * batches until one comes back short. The API already refuses them at access time; this makes
 * the state and the events say so, and hands them to the purge. Returns the sessions expired.
 */
@Injectable()
export class ExpireSessionsJob implements LifecycleJob {
  readonly name = 'expire-sessions' as const;

  constructor(private readonly sessions: SessionLifecycleRepository) {}

  async run(run: JobRun): Promise<number> {
    let expired = 0;
    for (;;) {
      const ids = await this.sessions.expireDue(run.now, EXPIRE_BATCH, run.guard.beforeWrite());
      expired += ids.length;
      if (ids.length < EXPIRE_BATCH) return expired;
    }
  }
}
