import type { FileLifecycleRepository, SessionLifecycleRepository } from '@app/database';
import type { StorageService } from '@app/storage';
import type { JobRun } from '../lifecycle-job.js';
import {
  MAX_REFUSED_PER_RUN,
  nextBatch,
  removeObjects,
  type RefusedKey,
} from './remove-objects.js';

/** Ended sessions taken per page, and files per storage batch (one DeleteObjects). */
export const SESSIONS_PER_PAGE = 100;
export const FILES_PER_BATCH = 1000;

export interface EndedSessionsPurgeDeps {
  sessions: SessionLifecycleRepository;
  files: FileLifecycleRepository;
  storage: StorageService;
}

/** What one purge step did: records removed (or settled), and the keys storage refused. */
export interface PurgeOutcome {
  purged: number;
  /** Their files keep their records, for the next run. */
  failed: RefusedKey[];
}

/**
 * The files of closed and expired sessions, page of sessions by page: storage first (aborts,
 * one DeleteObjects per batch of files), record second (only the files storage confirmed gone),
 * and once a page has no file left, each session is marked purged (`session.purged`, with the
 * records this run removed). A key storage refuses blocks nothing else: its file is skipped for
 * the rest of the run (record kept, session left unmarked for the next run) while every other
 * file is purged, unless storage refuses MAX_REFUSED_PER_RUN keys, when the run stops taking
 * more. A crash anywhere leaves the sessions unmarked, so the next run takes them again and
 * repeats what was not finished; a session is never marked while storage refused one of its keys.
 */
export async function purgeEndedSessions(
  deps: EndedSessionsPurgeDeps,
  run: JobRun,
): Promise<PurgeOutcome> {
  const outcome: PurgeOutcome = { purged: 0, failed: [] };
  let after: string | null = null;
  for (;;) {
    const ids = await deps.sessions.findEndedUnpurged(SESSIONS_PER_PAGE, after);
    if (ids.length === 0) return outcome;
    const page = await purgeFilesOf(deps, run, ids, outcome);
    // Stopped short (storage refusing too much): some sessions may hold files never tried.
    if (!page.complete) return outcome;
    for (const id of ids) {
      if (page.keeping.has(id)) continue;
      await deps.sessions.markFilesPurged(
        id,
        run.now,
        { files: page.removed.get(id) ?? 0 },
        run.guard.beforeWrite(),
      );
    }
    if (ids.length < SESSIONS_PER_PAGE) return outcome;
    after = ids[ids.length - 1] ?? null;
  }
}

interface PagePurge {
  /** Records each session lost. */
  removed: Map<string, number>;
  /** Sessions that keep a file whose key storage refused. */
  keeping: Set<string>;
  /** False when the run stopped before every file of the page was tried. */
  complete: boolean;
}

/** Removes every file of `sessionIds` storage lets go of, adding to `outcome`. */
async function purgeFilesOf(
  deps: EndedSessionsPurgeDeps,
  run: JobRun,
  sessionIds: readonly string[],
  outcome: PurgeOutcome,
): Promise<PagePurge> {
  const page: PagePurge = { removed: new Map(), keeping: new Set(), complete: true };
  const refused = new Set<string>();
  for (;;) {
    const files = await nextBatch(
      (limit) => deps.files.findBySessions(sessionIds, limit),
      refused,
      FILES_PER_BATCH,
    );
    if (files.length === 0) return page;
    const { removed, kept, failed } = await removeObjects(deps.storage, files, run.guard);
    outcome.failed.push(...failed);
    for (const file of kept) {
      refused.add(file.id);
      page.keeping.add(file.sessionId);
    }
    if (removed.length > 0) {
      const deleted = await deps.files.deleteOfSessions(
        removed.map((f) => f.id),
        sessionIds,
        run.guard.beforeWrite(),
      );
      if (deleted === 0) {
        // A lease lost says so; otherwise the same batch would come back forever.
        run.guard.check();
        throw new Error('the purge of ended sessions removed no record of a batch');
      }
      for (const file of removed) {
        page.removed.set(file.sessionId, (page.removed.get(file.sessionId) ?? 0) + 1);
      }
      outcome.purged += removed.length;
    }
    if (outcome.failed.length >= MAX_REFUSED_PER_RUN) {
      page.complete = false;
      return page;
    }
  }
}
