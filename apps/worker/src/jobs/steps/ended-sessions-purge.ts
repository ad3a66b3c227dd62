import type { FileLifecycleRepository, SessionLifecycleRepository } from '@app/database';
import type { StorageService } from '@app/storage';
import type { JobRun } from '../lifecycle-job.js';
import { ObjectsNotDeletedError, removeObjects } from './remove-objects.js';

/** Ended sessions taken per page, and files per storage batch (one DeleteObjects). */
export const SESSIONS_PER_PAGE = 100;
export const FILES_PER_BATCH = 1000;

export interface EndedSessionsPurgeDeps {
  sessions: SessionLifecycleRepository;
  files: FileLifecycleRepository;
  storage: StorageService;
}

/**
 * The files of closed and expired sessions, page of sessions by page: storage first (aborts,
 * one DeleteObjects per batch of files), record second (only the files storage confirmed gone),
 * and once a page has no file left, each session is marked purged (`session.purged`, with the
 * records this run removed). A crash anywhere leaves the sessions unmarked, so the next run takes
 * them again and repeats what was not finished; a session is never marked while storage refused
 * one of its keys. Returns the number of records removed.
 */
export async function purgeEndedSessions(
  deps: EndedSessionsPurgeDeps,
  run: JobRun,
): Promise<number> {
  let removed = 0;
  let after: string | null = null;
  for (;;) {
    const ids = await deps.sessions.findEndedUnpurged(SESSIONS_PER_PAGE, after);
    if (ids.length === 0) return removed;
    const bySession = await purgeFilesOf(deps, run, ids);
    for (const id of ids) {
      run.guard.check();
      await deps.sessions.markFilesPurged(id, run.now, { files: bySession.get(id) ?? 0 });
    }
    for (const n of bySession.values()) removed += n;
    if (ids.length < SESSIONS_PER_PAGE) return removed;
    after = ids[ids.length - 1] ?? null;
  }
}

/** Removes every file of `sessionIds`; how many records each session lost. */
async function purgeFilesOf(
  deps: EndedSessionsPurgeDeps,
  run: JobRun,
  sessionIds: readonly string[],
): Promise<Map<string, number>> {
  const bySession = new Map<string, number>();
  for (;;) {
    const files = await deps.files.findBySessions(sessionIds, FILES_PER_BATCH);
    if (files.length === 0) return bySession;
    const { removed, failed } = await removeObjects(deps.storage, files, run.guard);
    let deleted = 0;
    if (removed.length > 0) {
      run.guard.check();
      deleted = await deps.files.deleteOfSessions(
        removed.map((f) => f.id),
        sessionIds,
      );
    }
    for (const file of removed) {
      bySession.set(file.sessionId, (bySession.get(file.sessionId) ?? 0) + 1);
    }
    if (failed.length > 0) throw new ObjectsNotDeletedError(failed);
    // The same batch would come back forever.
    if (deleted === 0) throw new Error('the purge of ended sessions removed no record of a batch');
  }
}
