import { Injectable } from '@nestjs/common';
import { FileLifecycleRepository, SessionLifecycleRepository } from '@app/database';
import { StorageService } from '@app/storage';
import type { JobRun, LifecycleJob } from './lifecycle-job.js';
import { purgeDecidedObjects } from './steps/decided-objects-purge.js';
import { purgeEndedSessions } from './steps/ended-sessions-purge.js';
import { ObjectsNotDeletedError } from './steps/remove-objects.js';

/**
 * Purges what no one may read any more: every file of closed and expired sessions (objects
 * first, records second, then `session.purged`), and the objects of rejected and deleted files
 * once their upload URLs have expired. About one DeleteObjects, one find and one deleteMany per
 * 1000 files. Returns the files purged. Keys storage refuses are left (with their records) for
 * the next run and block nothing else: once everything else is purged, the run ends with an
 * ObjectsNotDeletedError that names them and counts what was purged.
 */
@Injectable()
export class PurgeFilesJob implements LifecycleJob {
  readonly name = 'purge-files' as const;

  constructor(
    private readonly sessions: SessionLifecycleRepository,
    private readonly files: FileLifecycleRepository,
    private readonly storage: StorageService,
  ) {}

  async run(run: JobRun): Promise<number> {
    const deps = { sessions: this.sessions, files: this.files, storage: this.storage };
    const ended = await purgeEndedSessions(deps, run);
    const decided = await purgeDecidedObjects(deps, run);
    const purged = ended.purged + decided.purged;
    const failed = [...ended.failed, ...decided.failed];
    if (failed.length > 0) throw new ObjectsNotDeletedError(failed, purged);
    return purged;
  }
}
