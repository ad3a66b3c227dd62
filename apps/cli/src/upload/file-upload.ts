// One file's upload: hash → declare → single PUT or parallel parts → complete → the worker's
// verdict. Resumable: the FileRecord (saved after each step and part) lets a rerun ask storage
// what it holds and send only the rest; a completed file is not sent again.
import { basename } from 'node:path';
import type { Client } from '../core/client.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { contentTypeFor } from './content-type.ts';
import { hashFile } from './hash.ts';
import {
  expectedPartSize,
  MIN_MULTIPART_BYTES,
  partCount,
  partLength,
  partRange,
} from './part-plan.ts';
import { sendParts, withRetry, type PartUrl } from './parts.ts';
import { putRange, PutError } from './put.ts';
import { backoff, MAX_TRIES, sleep } from './retry.ts';
import { isTransient } from './transient.ts';
import type { DeclareResponse, FileItem, FileRecord, StoredPart } from './types.ts';

export type Phase = 'hashing' | 'uploading' | 'verifying';

export interface UploadContext {
  client: Client;
  sessionId: string;
  signal: AbortSignal;
  /** Writes the state file (the record changed). */
  save(): void;
  progress(phase: Phase, done: number, total: number): void;
  /** A human line about this file (stderr). */
  note(text: string): void;
}

export interface UploadResult {
  file: FileItem;
  /** The record came from an earlier run. */
  resumed: boolean;
  /** Parts (or single PUTs) sent by this run. */
  partsSent: number;
}

/** Completing the part list in the body fits the API's body limits up to 499 parts. */
const COMPLETE_BODY_MAX_PARTS = 499;
export const VERIFY_WAIT_MS = 10 * 60_000;

export async function uploadFile(ctx: UploadContext, record: FileRecord): Promise<UploadResult> {
  const resumed = record.fileId !== undefined;
  const run = new Run(ctx, record);
  const file = await run.upload();
  return { file: await run.settle(file), resumed, partsSent: run.partsSent };
}

class Run {
  partsSent = 0;
  private readonly ctx: UploadContext;
  private readonly record: FileRecord;

  constructor(ctx: UploadContext, record: FileRecord) {
    this.ctx = ctx;
    this.record = record;
  }

  private get fileId(): string {
    if (this.record.fileId === undefined) throw new Error('no upload declared');
    return this.record.fileId;
  }

  private api<T>(method: string, path: string, body?: unknown): Promise<T> {
    return withRetry(
      () => this.ctx.client.request<T>(method, path, body, { signal: this.ctx.signal }),
      this.ctx.signal,
    );
  }

  async upload(): Promise<FileItem> {
    const record = this.record;
    if (record.fileId === undefined) return this.declare();
    if (record.completed === true) {
      const file = await this.current();
      if (file !== null && (file.status === 'ready' || file.status === 'verifying')) return file;
      this.ctx.note(`${basename(record.path)} is no longer on the server: uploading it again.`);
      return this.declare(true);
    }
    try {
      if (record.partSize === 0) return await this.resumeSingle();
      return await this.sendMultipart(await this.storedParts());
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      if (error.code === 'CONFLICT') {
        // No longer pending: a complete went through before the interruption.
        const file = await this.current();
        if (file !== null && file.status !== 'rejected' && file.status !== 'deleted') return file;
      }
      if (error.code === 'NOT_FOUND' || error.code === 'GONE' || error.code === 'CONFLICT') {
        this.ctx.note(
          `The earlier upload of ${basename(record.path)} cannot go on: starting it again.`,
        );
        await this.drop();
        return this.declare(true);
      }
      throw error;
    }
  }

  /** The file as the server has it, or null when it is gone. */
  private async current(): Promise<FileItem | null> {
    try {
      return await this.api<FileItem>('GET', `/v1/files/${this.fileId}`);
    } catch (error) {
      if (error instanceof CliError && error.exitCode === EXIT.NOT_FOUND) return null;
      throw error;
    }
  }

  /** Gives an unusable upload's reservation back and forgets it. */
  private async drop(): Promise<void> {
    const id = this.record.fileId;
    this.reset();
    if (id !== undefined) {
      await this.ctx.client
        .request('DELETE', `/v1/files/${id}`, undefined, { signal: this.ctx.signal })
        .catch(() => undefined);
    }
  }

  private reset(): void {
    const r = this.record;
    delete r.fileId;
    delete r.single;
    delete r.done;
    delete r.completed;
    this.ctx.save();
  }

  private async hash(
    partSize: number,
    whole: boolean,
  ): Promise<{ sha256: string; parts: string[] }> {
    const size = this.record.size;
    this.ctx.progress('hashing', 0, size);
    const hashes = await hashFile(
      this.record.path,
      partSize,
      (done) => this.ctx.progress('hashing', done, size),
      this.ctx.signal,
      whole,
    );
    this.ctx.progress('hashing', size, size);
    return hashes;
  }

  /** A new upload (the hashes are kept when the file was hashed already). */
  private async declare(again = false): Promise<FileItem> {
    const record = this.record;
    const planned = record.size >= MIN_MULTIPART_BYTES ? expectedPartSize(record.size) : 0;
    if (record.sha256 === undefined) {
      const hashes = await this.hash(planned, true);
      record.sha256 = hashes.sha256;
      record.partSize = planned;
      record.partHashes = hashes.parts;
      this.ctx.save();
    }
    // Not retried: a lost answer could have reserved room twice; a rerun lists and resumes.
    const declared = await this.ctx.client.request<DeclareResponse>(
      'POST',
      `/v1/sessions/${this.ctx.sessionId}/files`,
      {
        name: basename(record.path),
        size: record.size,
        contentType: contentTypeFor(record.path),
        sha256: record.sha256,
      },
    );
    const { upload } = declared;
    record.fileId = declared.file.id;
    record.done = {};
    if (upload.mode === 'single') {
      record.partSize = 0;
      record.single = { url: upload.url, headers: upload.headers, expiresAt: upload.expiresAt };
      this.ctx.save();
      return this.sendSingle(again);
    }
    // The server chose another part size than the rule predicts: hash the parts again.
    if (upload.partSize !== record.partSize || record.partHashes?.length !== upload.partCount) {
      record.partHashes = (await this.hash(upload.partSize, false)).parts;
      record.partSize = upload.partSize;
    }
    this.ctx.save();
    return this.sendMultipart([]);
  }

  private async resumeSingle(): Promise<FileItem> {
    try {
      return await this.complete(undefined);
    } catch (error) {
      if (!(error instanceof CliError && error.code === 'UPLOAD_INCOMPLETE')) throw error;
    }
    const single = this.record.single;
    if (single !== undefined && Date.parse(single.expiresAt) - Date.now() > 30_000) {
      return this.sendSingle(false);
    }
    // Its URL (signed once, at declare) has expired: give the file back and declare it again.
    await this.drop();
    return this.declare(true);
  }

  private async sendSingle(redeclared: boolean): Promise<FileItem> {
    const record = this.record;
    const single = record.single;
    if (single === undefined) throw new Error('no single upload URL');
    for (let attempt = 0; ; attempt++) {
      try {
        this.ctx.progress('uploading', 0, record.size);
        await putRange({
          url: single.url,
          headers: single.headers,
          path: record.path,
          start: 0,
          end: record.size,
          onSent: (sent) => this.ctx.progress('uploading', sent, record.size),
          signal: this.ctx.signal,
        });
        this.partsSent++;
        break;
      } catch (error) {
        // 412: an earlier try stored it already (if-none-match: *); complete tells.
        if (error instanceof PutError && error.status === 412) break;
        if (error instanceof PutError && error.status === 403 && !redeclared) {
          // Its URL expired before the bytes got there: a new declare signs a new one.
          await this.drop();
          return this.declare(true);
        }
        if (this.ctx.signal.aborted || !isTransient(error) || attempt + 1 >= MAX_TRIES) {
          throw storageError(error);
        }
        await sleep(backoff(attempt), this.ctx.signal);
      }
    }
    this.ctx.progress('uploading', record.size, record.size);
    return this.complete(undefined);
  }

  private async storedParts(): Promise<StoredPart[]> {
    const answer = await this.api<{ parts: StoredPart[] }>('GET', `/v1/files/${this.fileId}/parts`);
    return answer.parts;
  }

  /** Sends the parts storage lacks (`stored`: what it holds), then completes. */
  private async sendMultipart(stored: StoredPart[], again = true): Promise<FileItem> {
    const record = this.record;
    const size = record.size;
    const partSize = record.partSize ?? 0;
    const hashes = record.partHashes ?? [];
    const count = partCount(size, partSize);
    const done: Record<string, string> = {};
    for (const part of stored) {
      if (part.size === partLength(size, partSize, part.partNumber)) {
        done[String(part.partNumber)] = part.etag;
      }
    }
    record.done = done;
    this.ctx.save();
    const missing: number[] = [];
    let storedBytes = 0;
    for (let n = 1; n <= count; n++) {
      if (done[String(n)] === undefined) missing.push(n);
      else storedBytes += partLength(size, partSize, n);
    }
    this.ctx.progress('uploading', storedBytes, size);
    try {
      await sendParts({
        missing,
        signal: this.ctx.signal,
        urls: (numbers) =>
          this.ctx.client
            .request<{ parts: PartUrl[] }>(
              'POST',
              `/v1/files/${this.fileId}/parts`,
              { parts: numbers.map((n) => ({ partNumber: n, sha256: hashes[n - 1] })) },
              { signal: this.ctx.signal },
            )
            .then((answer) => answer.parts),
        put: (url, onSent) => {
          const [start, end] = partRange(size, partSize, url.partNumber);
          return putRange({
            url: url.url,
            headers: url.headers,
            path: record.path,
            start,
            end,
            onSent,
            signal: this.ctx.signal,
          });
        },
        stored: (n, etag) => {
          done[String(n)] = etag;
          this.partsSent++;
          this.ctx.save();
        },
        progress: (bytes) => this.ctx.progress('uploading', storedBytes + bytes, size),
        partBytes: (n) => partLength(size, partSize, n),
      });
    } catch (error) {
      throw storageError(error);
    }
    const etags = Object.entries(done);
    const withBody = count <= COMPLETE_BODY_MAX_PARTS && etags.every(([, etag]) => etag !== '');
    const body = withBody
      ? {
          parts: etags
            .map(([n, etag]) => ({ partNumber: Number(n), etag }))
            .sort((a, b) => a.partNumber - b.partNumber),
        }
      : undefined;
    try {
      return await this.complete(body);
    } catch (error) {
      // Storage lacks a part, or one's ETag changed: list what it holds and go again, once.
      if (error instanceof CliError && error.code === 'UPLOAD_INCOMPLETE' && again) {
        return this.sendMultipart(await this.storedParts(), false);
      }
      throw error;
    }
  }

  private async complete(body: unknown): Promise<FileItem> {
    try {
      const file = await this.api<FileItem>('POST', `/v1/files/${this.fileId}/complete`, body);
      this.record.completed = true;
      this.ctx.save();
      return file;
    } catch (error) {
      // Rejected for good: a rerun declares it anew.
      if (error instanceof CliError && error.exitCode === EXIT.INTEGRITY) this.reset();
      throw error;
    }
  }

  /** Waits for a multipart upload's read-back by the worker: verifying → ready or rejected. */
  async settle(file: FileItem): Promise<FileItem> {
    let current = file;
    const started = Date.now();
    for (let attempt = 0; current.status === 'verifying'; attempt++) {
      if (attempt === 0) this.ctx.progress('verifying', 0, current.size);
      if (Date.now() - started >= VERIFY_WAIT_MS) {
        this.ctx.note(
          `${current.name} is still being verified by the server; it becomes downloadable once ready.`,
        );
        return current;
      }
      await sleep(Math.min(500 + attempt * 250, 5000), this.ctx.signal);
      const next = await this.current();
      if (next === null)
        throw new CliError(
          `${current.name} was deleted on the server.`,
          EXIT.NOT_FOUND,
          'NOT_FOUND',
        );
      current = next;
    }
    if (current.status === 'rejected') {
      this.reset();
      throw new CliError(
        `${current.name} was rejected by the server: storage did not hold the bytes that were hashed. Run the command again to upload it anew.`,
        EXIT.INTEGRITY,
        'INTEGRITY_MISMATCH',
      );
    }
    if (current.status === 'deleted') {
      throw new CliError(`${current.name} was deleted on the server.`, EXIT.NOT_FOUND, 'NOT_FOUND');
    }
    this.ctx.progress('verifying', current.size, current.size);
    return current;
  }
}

/** A storage failure as the user reads it; API errors pass through. */
function storageError(error: unknown): unknown {
  if (!(error instanceof PutError)) return error;
  if (error.status === 0 || error.status >= 500) {
    return new CliError(
      `File storage failed: ${error.message}. Run the command again to resume.`,
      EXIT.UNAVAILABLE,
      'STORAGE_UNAVAILABLE',
    );
  }
  const reason = /<Code>([^<]+)<\/Code>/.exec(error.body)?.[1];
  return new CliError(
    `File storage refused the upload (${String(error.status)}${reason ? ` ${reason}` : ''}). Run the command again to resume.`,
    error.status === 400 ? EXIT.INTEGRITY : EXIT.FAILURE,
    reason ?? `STORAGE_${String(error.status)}`,
  );
}
