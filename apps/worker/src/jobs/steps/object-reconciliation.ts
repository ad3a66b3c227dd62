import type { Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type {
  FileLifecycleRepository,
  FileRecord,
  SessionLifecycleRepository,
} from '@app/database';
import { FILE_KEY_PREFIX, parseStorageKey } from '@app/files';
import type { ListedObject, StorageService } from '@app/storage';
import type { JobRun } from '../lifecycle-job.js';

/** Ready records read per query while merging them with the listing. */
export const READY_PER_QUERY = 1000;

const LIVE: readonly FileRecord['status'][] = ['pending', 'verifying', 'ready'];

export interface ObjectReconciliationDeps {
  files: FileLifecycleRepository;
  sessions: Pick<SessionLifecycleRepository, 'findEnded'>;
  storage: StorageService;
  /** sharexpress_files_object_missing_total */
  missing: Counter;
  logger: Pick<Logger, 'warn'>;
}

export interface ObjectReconciliation {
  orphansDeleted: number;
  recordsFlagged: number;
  /** Keys DeleteObjects refused (left for the next run). */
  failed: { key: string; code: string }[];
}

/**
 * One pass over every object under the files' prefix, page by page (S3 lists in key order):
 * - an object is live when its record exists, is pending, verifying or ready, and names that very
 *   key; any other object (no record, a settled one, a foreign key) last modified at or before
 *   `orphanedBefore` is an orphan, deleted with one DeleteObjects per page;
 * - the ready records whose keys fall between two listed keys but were not listed lost their
 *   object: each is confirmed (HEAD, then the record read again, still ready, then its session,
 *   still live) before it is flagged, counted and logged by id, so an object written after its
 *   page was listed is never taken for lost, and neither is one the purge of an ended session
 *   just deleted (objects first, records second). Only `ready` records are looked at: a pending
 *   or verifying file may have no object yet, a rejected or deleted one none any more.
 */
export async function reconcileObjects(
  deps: ObjectReconciliationDeps,
  run: JobRun,
  orphanedBefore: Date,
): Promise<ObjectReconciliation> {
  const outcome: ObjectReconciliation = { orphansDeleted: 0, recordsFlagged: 0, failed: [] };
  let token: string | undefined;
  let lastKey: string | null = null;
  do {
    const page = await deps.storage.listObjects({ prefix: FILE_KEY_PREFIX, nextToken: token });
    await deleteOrphans(deps, run, page.objects, orphanedBefore, outcome);
    const pageLast = page.objects.at(-1)?.key;
    if (pageLast !== undefined) {
      const listed = new Set(page.objects.map((o) => o.key));
      outcome.recordsFlagged += await flagUnlisted(deps, run, lastKey, pageLast, listed);
      lastKey = pageLast;
    }
    token = page.nextToken;
  } while (token !== undefined);
  outcome.recordsFlagged += await flagUnlisted(deps, run, lastKey, null, new Set());
  return outcome;
}

async function deleteOrphans(
  deps: ObjectReconciliationDeps,
  run: JobRun,
  objects: readonly ListedObject[],
  orphanedBefore: Date,
  outcome: ObjectReconciliation,
): Promise<void> {
  const fileIds = new Set<string>();
  for (const o of objects) {
    const ids = parseStorageKey(o.key);
    if (ids !== null) fileIds.add(ids.fileId);
  }
  const records = fileIds.size === 0 ? [] : await deps.files.findByIds([...fileIds]);
  const liveKeys = new Set(records.filter((r) => LIVE.includes(r.status)).map((r) => r.storageKey));
  const orphans = objects
    .filter((o) => !liveKeys.has(o.key) && o.lastModified.getTime() <= orphanedBefore.getTime())
    .map((o) => o.key);
  if (orphans.length === 0) return;
  run.guard.check();
  const result = await deps.storage.deleteObjects(orphans);
  outcome.orphansDeleted += result.deleted.length;
  outcome.failed.push(...result.failed);
}

/** Ready records keyed in (after, upTo] that `listed` lacks; how many were newly flagged. */
async function flagUnlisted(
  deps: ObjectReconciliationDeps,
  run: JobRun,
  after: string | null,
  upTo: string | null,
  listed: ReadonlySet<string>,
): Promise<number> {
  let flagged = 0;
  let cursor = after;
  for (;;) {
    const ready = await deps.files.findReadyInKeyRange(cursor, upTo, READY_PER_QUERY);
    for (const record of ready) {
      if (!listed.has(record.storageKey) && (await confirmMissing(deps, run, record))) flagged++;
    }
    const last = ready.at(-1);
    if (last === undefined || ready.length < READY_PER_QUERY) return flagged;
    cursor = last.storageKey;
  }
}

async function confirmMissing(
  deps: ObjectReconciliationDeps,
  run: JobRun,
  record: FileRecord,
): Promise<boolean> {
  if ((await deps.storage.headObject(record.storageKey)) !== null) return false;
  const [current] = await deps.files.findByIds([record.id]);
  if (current?.status !== 'ready' || current.storageKey !== record.storageKey) return false;
  // Read after the HEAD: an ended session never becomes live again, so a live one now was live
  // when its object was found missing, and no purge had removed it.
  if ((await deps.sessions.findEnded([record.sessionId])).length > 0) return false;
  if (!(await deps.files.flagObjectMissing(record.id, run.now, run.guard.beforeWrite()))) {
    return false;
  }
  deps.missing.inc();
  deps.logger.warn(
    `file ${record.id} of session ${record.sessionId} is ready but storage no longer holds its object`,
  );
  return true;
}
