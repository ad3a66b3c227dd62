import { Injectable, Logger } from '@nestjs/common';
import {
  FileRepository,
  SessionFilesRepository,
  type FileRecord,
  type FileStatus,
  type WriteFence,
  type WriteGate,
} from '@app/database';
import { StorageService } from '@app/storage';
import { ContentTypePolicy } from './content-type.js';
import { FileLifecycleMetrics } from './file-lifecycle-metrics.js';
import { bestEffort, removeFileObject } from './file-object.js';
import { FileReservations } from './file-reservations.js';
import { rejectionText, type Rejection } from './rejection.js';
import { SNIFF_HEAD_BYTES, sniffContradiction } from './sniff.js';

// Only a file still being settled may be accepted or rejected.
const UNSETTLED: readonly FileStatus[] = ['pending', 'verifying'];

/** Bytes of the object's head that sniffing reads (file-type needs at most ~4 KiB). */
export const SNIFF_BYTES = SNIFF_HEAD_BYTES;

/**
 * How a caller that holds a lease (a worker job) fences a verdict. Each hook throws to stop the
 * verdict before its decision, writing nothing; `gate` also gives the decision its deadline, so
 * a decision that reaches the database late (the worker paused after its checks) decides nothing.
 * The API's complete passes none.
 *
 * What follows a won decision (the object's removal, the give-backs, the event) is not fenced, by
 * design: it belongs to that decision, which only one caller can win, and nobody else would ever
 * do it (a worker that took the lease over finds the file decided), so stopping there would leak
 * the reservations. The window this leaves is accepted: a crash (or a lease lost) after a won
 * rejection and before its give-backs leaks that one file's reservations, its daily quota until
 * the UTC day ends and its room in the session until the session ends. Closing it would take
 * exactly-once give-backs, i.e. a give-back idempotent on the quota document (a per-file release
 * marker), which the quota and session counters do not have.
 */
export interface VerdictFence {
  /**
   * Runs right before the decision (the transition): the job's lease (its
   * `FenceGuard.beforeWrite()`), whose deadline the transition carries, changing nothing once the
   * database's clock has reached it.
   */
  gate?: WriteGate;
  /** Runs right before the transition too: the decision needs the caller's per-file lease. */
  beforeDecision?: () => void;
}

const NO_FENCE: VerdictFence = {};

/**
 * The end of an upload's life as a candidate: accepted (ready) or rejected (reservations given
 * back, object deleted). The transition is the decision: of concurrent verdicts on one file (two
 * completes, two verifiers whose leases overlapped) exactly one wins, and the others return the
 * winner's record without side effects of their own. Nothing is removed from storage before the
 * decision: a verdict that finds the object gone knows the file was decided meanwhile (or
 * deleted), re-reads it and answers that, never treating a missing object as empty content.
 */
@Injectable()
export class FileVerdictService {
  private readonly logger = new Logger(FileVerdictService.name);

  constructor(
    private readonly files: FileRepository,
    private readonly sessionFiles: SessionFilesRepository,
    private readonly reservations: FileReservations,
    private readonly storage: StorageService,
    private readonly metrics: FileLifecycleMetrics,
    private readonly contentTypes: ContentTypePolicy,
  ) {}

  /**
   * A recognizable format in `head` (the object's first bytes) that contradicts the declared
   * type, or that the content type policy blocks whatever was declared, as a rejection.
   */
  async inspect(
    file: Pick<FileRecord, 'contentType'>,
    head: Uint8Array,
  ): Promise<Rejection | null> {
    const contradiction = await sniffContradiction(file.contentType, head, this.contentTypes);
    if (contradiction === null) return null;
    // "content looks like …": the reason already says it is the content.
    return { reason: 'content', detail: contradiction.replace(/^content /, '') };
  }

  /**
   * Storage no longer holds the object of `file` (read while `file.status`): the file as it is
   * now when it has moved on (decided by a concurrent verdict, or deleted), else null (still in
   * that status: the object really is missing).
   */
  async movedOn(file: FileRecord): Promise<FileRecord | null> {
    const current = await this.files.findById(file.id);
    if (current === null) return file;
    return current.status === file.status ? null : current;
  }

  /** pending/verifying → ready; the winner records file.ready. Returns the file as it is now. */
  async accept(file: FileRecord, now: Date, fence: VerdictFence = NO_FENCE): Promise<FileRecord> {
    if (!UNSETTLED.includes(file.status)) return this.current(file);
    const deadline = decide(fence);
    const ready = await this.files.transition(file.id, [file.status], 'ready', now, {}, deadline);
    if (ready === null) return this.current(file);
    this.metrics.accepted(file.upload.mode, file.size);
    await this.sessionFiles.recordEvent(file.sessionId, now, {
      type: 'file.ready',
      data: { fileId: file.id, name: file.name, size: file.size },
    });
    return ready;
  }

  /**
   * Decides first: pending/verifying → rejected. Only the winner then deletes the object (and an
   * open multipart upload), gives the daily quota and the session's reservation back (each best
   * effort: the worker's purge deletes the object again once its upload URLs have expired) and
   * records file.rejected. Returns the file as it is now (rejected, or whatever a concurrent
   * verdict made of it). The fence is checked before the decision only, and the decision carries
   * its deadline (see VerdictFence: a crash between the decision and the give-backs leaks them).
   */
  async reject(
    file: FileRecord,
    rejection: Rejection,
    now: Date,
    fence: VerdictFence = NO_FENCE,
  ): Promise<FileRecord> {
    if (!UNSETTLED.includes(file.status)) return this.current(file);
    const deadline = decide(fence);
    const rejected = await this.files.transition(
      file.id,
      [file.status],
      'rejected',
      now,
      { rejectedReason: rejectionText(rejection) },
      deadline,
    );
    if (rejected === null) return this.current(file);
    // `file` is as it was before the decision: its status says whether an upload is still open.
    await bestEffort(this.logger, `deleting the object of rejected file ${file.id}`, () =>
      removeFileObject(this.storage, file),
    );
    await this.reservations.giveBack(file, { quota: true });
    this.metrics.rejectedFor(rejection.reason);
    this.logger.log(`file ${file.id} rejected (${rejectionText(rejection)})`);
    await this.sessionFiles.recordEvent(file.sessionId, now, {
      type: 'file.rejected',
      data: { fileId: file.id, reason: rejection.reason },
    });
    return rejected;
  }

  private async current(file: FileRecord): Promise<FileRecord> {
    return (await this.files.findById(file.id)) ?? file;
  }
}

/** Runs the fence's checks (throwing stops the verdict); the decision's deadline, if any. */
function decide(fence: VerdictFence): WriteFence | undefined {
  const deadline = fence.gate?.();
  fence.beforeDecision?.();
  return deadline;
}
