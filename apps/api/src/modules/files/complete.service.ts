import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/common';
import { FileRepository, type FileRecord, type MultipartUploadPlan } from '@app/database';
import {
  FileVerdictService,
  SNIFF_BYTES,
  base64Sha256ToHex,
  integrityMismatch as compareIntegrity,
} from '@app/files';
import {
  StorageObjectMissingError,
  StorageRequestRejectedError,
  StorageService,
  type CompletedPart,
  type StoredPart,
} from '@app/storage';
import type { CompleteFileDto, CompletedPartDto } from './dto/parts.dto.js';
import { toFileResponse, type FileResponse } from './dto/file.response.js';
import { FileAccessService } from './file-access.service.js';
import {
  fileNotFound,
  forgedPartList,
  integrityMismatch,
  partsOnlyForMultipart,
  uploadIncomplete,
} from './files.errors.js';
import { partLength } from './policy/part-plan.js';

// Part numbers named in a 409, at most.
const LISTED_MISSING = 10;
// How long a complete that finds the upload closed waits for a concurrent one to finish it.
const UPLOAD_CLOSED_WAIT_MS = 10_000;
const UPLOAD_CLOSED_POLL_MS = 200;

const unquote = (etag: string): string => etag.replace(/^"(.*)"$/, '$1');

// CompleteMultipartUpload's answers to a part list that no longer matches the stored parts (a
// part uploaded again after the list was read): the client's upload is not in a completable
// state, as when a part is missing.
const STALE_PART_CODES: readonly string[] = ['InvalidPart', 'InvalidPartOrder'];

/**
 * Complete: proves (single) or starts proving (multipart) that storage holds exactly the declared
 * bytes. Idempotent: a settled file answers its outcome again without redoing anything, and of
 * concurrent completes the transition lets one win while the others answer the winner's outcome.
 */
@Injectable()
export class CompleteService {
  constructor(
    private readonly files: FileRepository,
    private readonly storage: StorageService,
    private readonly access: FileAccessService,
    private readonly verdicts: FileVerdictService,
  ) {}

  async complete(
    principal: Principal,
    fileId: string,
    body: CompleteFileDto,
  ): Promise<FileResponse> {
    const { file, session } = await this.access.uploaded(principal, fileId);
    this.access.assertLive(session, new Date());
    if (body.parts !== undefined && file.upload.mode !== 'multipart') {
      throw partsOnlyForMultipart();
    }
    let settled = file;
    if (file.status === 'pending') {
      settled =
        file.upload.mode === 'multipart'
          ? await this.multipart(file, file.upload, body.parts)
          : await this.single(file);
    }
    return this.outcome(settled, session);
  }

  /** 200 for ready or verifying, 422 for rejected (with what did not match). */
  private outcome(file: FileRecord, session: { expiresAt: Date }): FileResponse {
    switch (file.status) {
      case 'ready':
      case 'verifying':
        return toFileResponse(file, session);
      case 'rejected':
        throw integrityMismatch(file.rejectedReason);
      case 'deleted':
        throw fileNotFound();
      case 'pending':
        throw uploadIncomplete('The upload is not complete yet');
    }
  }

  /**
   * HEAD with checksum mode: size and SHA-256 as declared, then the first bytes sniffed. An
   * object that is not there (at either step) is never read as empty content: the file was
   * decided (or deleted) meanwhile, and its outcome is the answer; or it is still pending and the
   * upload incomplete.
   */
  private async single(file: FileRecord): Promise<FileRecord> {
    const head = await this.storage.headObject(file.storageKey);
    if (head === null) {
      return this.singleMissing(
        file,
        'Storage holds no object for this file yet: PUT it, then complete',
      );
    }
    const mismatch = compareIntegrity(file, {
      size: head.size,
      sha256Hex: base64Sha256ToHex(head.checksumSha256),
    });
    if (mismatch !== null) return this.verdicts.reject(file, mismatch, new Date());
    // A presigned PUT cannot forbid unsigned standard headers: an uploader could store a
    // Content-Encoding that every download would then carry (bytes a browser would decode).
    const encoding = head.contentEncoding?.trim().toLowerCase() ?? '';
    if (encoding !== '' && encoding !== 'identity') {
      return this.verdicts.reject(
        file,
        {
          reason: 'content',
          detail: `the upload set Content-Encoding: ${encoding.slice(0, 40)}; upload without it`,
        },
        new Date(),
      );
    }
    const bytes =
      file.size === 0
        ? Buffer.alloc(0)
        : await this.storage.getObjectRange(file.storageKey, 0, SNIFF_BYTES - 1);
    if (bytes === null) {
      return this.singleMissing(file, 'Storage no longer holds the object: PUT it, then complete');
    }
    const contradiction = await this.verdicts.inspect(file, bytes);
    if (contradiction !== null) return this.verdicts.reject(file, contradiction, new Date());
    return this.verdicts.accept(file, new Date());
  }

  /** The file's outcome if it moved on while its object was looked for; else 409. */
  private async singleMissing(file: FileRecord, detail: string): Promise<FileRecord> {
    const moved = await this.verdicts.movedOn(file);
    if (moved !== null) return moved;
    throw uploadIncomplete(detail);
  }

  /**
   * Every planned part present at its planned size, the client's list (if any) equal to
   * storage's, then CompleteMultipartUpload with storage's list and pending → verifying: the
   * worker proves the whole-file SHA-256 by reading the object back.
   */
  private async multipart(
    file: FileRecord,
    plan: MultipartUploadPlan,
    claimed: CompletedPartDto[] | undefined,
  ): Promise<FileRecord> {
    let stored: StoredPart[];
    try {
      stored = await this.storage.listParts(file.storageKey, plan.uploadId);
    } catch (err) {
      if (err instanceof StorageObjectMissingError) return this.afterUploadClosed(file);
      throw err;
    }
    const parts = this.plannedParts(file, plan, stored);
    if (claimed !== undefined) checkClaimed(claimed, parts);
    try {
      await this.storage.completeMultipartUpload({
        key: file.storageKey,
        uploadId: plan.uploadId,
        parts,
      });
    } catch (err) {
      // A concurrent complete got there first (the upload id is spent).
      if (err instanceof StorageObjectMissingError) return this.afterUploadClosed(file);
      if (err instanceof StorageRequestRejectedError && STALE_PART_CODES.includes(err.s3Code)) {
        throw uploadIncomplete(
          'A part changed in storage while the upload was being completed: list the parts, then complete again',
        );
      }
      throw err;
    }
    return this.toVerifying(file);
  }

  /** Storage's parts 1..partCount, each at its planned size; else 409 naming the missing ones. */
  private plannedParts(
    file: FileRecord,
    plan: MultipartUploadPlan,
    stored: StoredPart[],
  ): CompletedPart[] {
    const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
    const parts: CompletedPart[] = [];
    const missing: number[] = [];
    for (let n = 1; n <= plan.partCount; n++) {
      const part = byNumber.get(n);
      if (part === undefined || part.size !== partLength({ ...plan, size: file.size }, n)) {
        missing.push(n);
        continue;
      }
      parts.push({ partNumber: n, etag: part.etag, checksumSha256: part.checksumSha256 });
    }
    if (missing.length > 0) {
      const shown = missing.slice(0, LISTED_MISSING).join(', ');
      const more =
        missing.length > LISTED_MISSING
          ? ` and ${String(missing.length - LISTED_MISSING)} more`
          : '';
      throw uploadIncomplete(
        `Storage is missing ${String(missing.length)} of ${String(plan.partCount)} parts: ${shown}${more}`,
      );
    }
    return parts;
  }

  /**
   * The upload id is gone: a concurrent complete (on any replica) is finishing it or has, or one
   * that crashed before its transition did. The file's outcome once it moves on; verifying once
   * the object is there. Storage may need a moment to assemble the object, so this looks again
   * for a while before answering 409.
   */
  private async afterUploadClosed(file: FileRecord): Promise<FileRecord> {
    const deadline = Date.now() + UPLOAD_CLOSED_WAIT_MS;
    for (;;) {
      const current = (await this.files.findById(file.id)) ?? file;
      if (current.status !== 'pending') return current;
      if ((await this.storage.headObject(file.storageKey)) !== null) {
        return this.toVerifying(current);
      }
      if (Date.now() >= deadline) throw uploadIncomplete('The multipart upload no longer exists');
      await new Promise((resolve) => setTimeout(resolve, UPLOAD_CLOSED_POLL_MS));
    }
  }

  private async toVerifying(file: FileRecord): Promise<FileRecord> {
    const moved = await this.files.transition(file.id, ['pending'], 'verifying', new Date());
    return moved ?? (await this.files.findById(file.id)) ?? file;
  }
}

/** The client's part list must be exactly storage's: same part numbers, same ETags. */
function checkClaimed(claimed: CompletedPartDto[], parts: CompletedPart[]): void {
  if (claimed.length !== parts.length) {
    throw forgedPartList(
      `${String(claimed.length)} parts listed, storage holds ${String(parts.length)}`,
    );
  }
  const etags = new Map(parts.map((p) => [p.partNumber, unquote(p.etag)]));
  for (const part of claimed) {
    const etag = etags.get(part.partNumber);
    if (etag === undefined)
      throw forgedPartList(`storage holds no part ${String(part.partNumber)}`);
    if (etag !== unquote(part.etag)) {
      throw forgedPartList(`part ${String(part.partNumber)} has another ETag in storage`);
    }
  }
}
