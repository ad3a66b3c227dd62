// One file's upload: hash (in a worker) → declare → single PUT or parallel parts → complete →
// wait for the worker's verdict. Resumable: an unfinished upload lives in sessionStorage and,
// given the same file again, sends only the parts storage lacks.
import { ApiError } from '../api/client';
import type { DeclareResponse, FileItem, PartUrl, StoredPart, UploadSingle } from '../api/types';
import { sleep } from '../api/sleep';
import { hashFile } from './hasher';
import { expectedPartSize, MIN_MULTIPART_BYTES, partCount, partRange } from './part-plan';
import { putBytes, PutError } from './put-bytes';
import { dropRecord, saveRecord, type UploadRecord } from './resume-store';
import { sendParts } from './send-parts';
import type { Api } from '../api/client';

/** `checking`: sent and complete, the server still verifying after VERIFY_WAIT_MS (it goes on). */
export type Phase = 'hashing' | 'uploading' | 'verifying' | 'checking' | 'ready' | 'failed';

export interface JobState {
  phase: Phase;
  /** 0..1 of the current phase. */
  fraction: number;
  text: string;
  error?: unknown;
  /** A failure the same file can be retried after (the record is kept). */
  retryable: boolean;
}

const COMPLETE_BODY_MAX_PARTS = 499;
/** How long the job polls a verifying file; the Files list shows it ready later anyway. */
export const VERIFY_WAIT_MS = 120_000;
const percent = (fraction: number): string => `${String(Math.floor(fraction * 100))} %`;

/** A failure that ends this upload for good: the record goes, a new upload is needed. */
export class UploadEnded extends Error {}

let jobs = 0;

export class UploadJob {
  /** Stable for the page's life: the row's key and focus anchor. */
  readonly key = `upload-${String(++jobs)}`;
  state: JobState = { phase: 'hashing', fraction: 0, text: 'Hashing 0 %', retryable: false };
  private controller = new AbortController();

  constructor(
    private readonly api: Api,
    private readonly sessionId: string,
    readonly file: File,
    private record: UploadRecord | null,
    private readonly onChange: () => void,
    private readonly onReady: (file: FileItem) => void,
  ) {}

  get fileId(): string | undefined {
    return this.record?.fileId;
  }

  /** Starts (or retries): a run still going is stopped first, so there is only ever one. */
  start(): void {
    this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    // At once, so the Retry button is gone before a second click can land on it.
    this.set({ phase: 'hashing', fraction: 0, text: 'Starting', retryable: false });
    this.run(controller.signal).catch((error: unknown) => {
      if (controller.signal.aborted) return;
      const ended = error instanceof UploadEnded || isFinal(error);
      if (ended && this.record !== null) dropRecord(this.record.fileId);
      this.set({ phase: 'failed', fraction: 0, text: 'Failed', error, retryable: !ended });
    });
  }

  /** Running: hashing, sending or waiting for the server's check. */
  get running(): boolean {
    return ['hashing', 'uploading', 'verifying'].includes(this.state.phase);
  }

  /** Stops sending; the record stays so that the upload can resume later. */
  stop(): void {
    this.controller.abort();
  }

  /** Stops the upload and gives its reservation back (DELETE), dropping the record. */
  async cancel(): Promise<void> {
    this.controller.abort();
    const record = this.record;
    if (record === null) return;
    dropRecord(record.fileId);
    await this.api.del(`/v1/files/${record.fileId}`).catch(() => undefined);
  }

  private set(state: JobState): void {
    this.state = state;
    this.onChange();
  }

  private async run(signal: AbortSignal): Promise<void> {
    const file = this.record === null ? await this.declare(signal) : await this.resumeState(signal);
    if (file === null) return;
    await this.settle(file, signal);
  }

  private async hash(partSize: number, whole: boolean, signal: AbortSignal) {
    const file = this.file;
    return hashFile(
      { file, partSize, whole },
      (done) => {
        const fraction = file.size === 0 ? 1 : done / file.size;
        this.set({
          phase: 'hashing',
          fraction,
          text: `Hashing ${percent(fraction)}`,
          retryable: false,
        });
      },
      signal,
    );
  }

  /** A new upload: hash, declare, send. Returns the completed file. */
  private async declare(signal: AbortSignal, known?: string): Promise<FileItem | null> {
    const file = this.file;
    const planned = file.size >= MIN_MULTIPART_BYTES ? expectedPartSize(file.size) : 0;
    const hashes =
      known === undefined
        ? await this.hash(planned, true, signal)
        : { sha256: known, parts: [] as string[] };
    const declared = await this.api.post<DeclareResponse>(`/v1/sessions/${this.sessionId}/files`, {
      name: file.name,
      size: file.size,
      contentType: contentTypeOf(file),
      sha256: hashes.sha256,
    });
    // Not aborted mid-request (the server could have reserved room we would never learn of):
    // cancelled meanwhile, the new file is deleted at once.
    if (signal.aborted) {
      await this.api.del(`/v1/files/${declared.file.id}`).catch(() => undefined);
      throw new DOMException('cancelled', 'AbortError');
    }
    const { upload } = declared;
    const record: UploadRecord = {
      sessionId: this.sessionId,
      fileId: declared.file.id,
      name: file.name,
      size: file.size,
      lastModified: file.lastModified,
      type: file.type,
      sha256: hashes.sha256,
      partSize: upload.mode === 'multipart' ? upload.partSize : 0,
      partHashes: [],
      done: {},
    };
    this.record = record;
    saveRecord(record);
    if (upload.mode === 'single') return this.sendSingle(upload, signal);
    // The server chose another part size than the rule predicts: hash the parts again.
    record.partHashes =
      upload.partSize === planned && hashes.parts.length === upload.partCount
        ? hashes.parts
        : (await this.hash(upload.partSize, false, signal)).parts;
    saveRecord(record);
    return this.sendMultipart([], signal);
  }

  private async sendSingle(upload: UploadSingle, signal: AbortSignal): Promise<FileItem> {
    const record = this.mustRecord();
    for (let attempt = 0; ; attempt++) {
      try {
        await putBytes(
          upload.url,
          upload.headers,
          this.file,
          (sent) => this.uploading(sent),
          signal,
        );
        break;
      } catch (error) {
        // 412: an earlier try already stored it (if-none-match: *); complete tells.
        if (error instanceof PutError && error.status === 412) break;
        if (!transient(error) || attempt >= 5 || signal.aborted) throw error;
        await sleep(backoff(attempt), signal);
      }
    }
    return this.api.post<FileItem>(`/v1/files/${record.fileId}/complete`, undefined, { signal });
  }

  private uploading(sent: number): void {
    const fraction = this.file.size === 0 ? 1 : sent / this.file.size;
    this.set({
      phase: 'uploading',
      fraction,
      text: `Uploading ${percent(fraction)}`,
      retryable: false,
    });
  }

  /** Sends the parts storage lacks (`stored` it holds already), then completes. */
  private async sendMultipart(
    stored: StoredPart[],
    signal: AbortSignal,
    again = true,
  ): Promise<FileItem> {
    const record = this.mustRecord();
    const count = partCount(record.size, record.partSize);
    const held = new Map<number, string>();
    for (const part of stored) {
      if (part.size === partSize(record, part.partNumber)) held.set(part.partNumber, part.etag);
    }
    record.done = Object.fromEntries(held);
    saveRecord(record);
    const missing: number[] = [];
    for (let n = 1; n <= count; n++) if (!held.has(n)) missing.push(n);
    const report = (doneBytes: number): void => {
      const doneParts = Object.keys(record.done).length;
      this.set({
        phase: 'uploading',
        fraction: record.size === 0 ? 1 : doneBytes / record.size,
        text: `Uploading ${String(doneParts)} of ${String(count)} parts`,
        retryable: false,
      });
    };
    let storedBytes = 0;
    for (const n of held.keys()) storedBytes += partSize(record, n);
    report(storedBytes);
    await sendParts({
      missing,
      signal,
      urls: (numbers) =>
        this.api
          .post<{ parts: PartUrl[] }>(
            `/v1/files/${record.fileId}/parts`,
            { parts: numbers.map((n) => ({ partNumber: n, sha256: record.partHashes[n - 1] })) },
            { signal },
          )
          .then((answer) => answer.parts),
      put: (url, n, onSent) => {
        const [start, end] = partRange(record.size, record.partSize, n);
        return putBytes(url.url, url.headers, this.file.slice(start, end), onSent, signal);
      },
      stored: (n, etag) => {
        record.done[n] = etag;
        saveRecord(record);
      },
      progress: (inFlight) => report(storedBytes + inFlight),
      partBytes: (n) => partSize(record, n),
      now: () => this.api.now(),
    });
    const etags = Object.entries(record.done);
    const withBody = count <= COMPLETE_BODY_MAX_PARTS && etags.every(([, etag]) => etag !== '');
    const body = withBody
      ? {
          parts: etags
            .map(([n, etag]) => ({ partNumber: Number(n), etag }))
            .sort((a, b) => a.partNumber - b.partNumber),
        }
      : undefined;
    try {
      return await this.api.post<FileItem>(`/v1/files/${record.fileId}/complete`, body, { signal });
    } catch (error) {
      // Storage lacks a part, or one's ETag changed: list what it holds and go again.
      if (error instanceof ApiError && error.code === 'UPLOAD_INCOMPLETE' && again) {
        return this.sendMultipart(await this.storedParts(signal), signal, false);
      }
      throw error;
    }
  }

  private storedParts(signal: AbortSignal): Promise<StoredPart[]> {
    return this.api
      .get<{ parts: StoredPart[] }>(`/v1/files/${this.mustRecord().fileId}/parts`, { signal })
      .then((answer) => answer.parts);
  }

  /** A recorded upload given its file again: ask what storage holds, send the rest. */
  private async resumeState(signal: AbortSignal): Promise<FileItem | null> {
    const record = this.mustRecord();
    try {
      if (record.partSize === 0) {
        // A single upload's URL was signed once: complete if its PUT landed, else start over.
        try {
          return await this.api.post<FileItem>(`/v1/files/${record.fileId}/complete`, undefined, {
            signal,
          });
        } catch (error) {
          if (!(error instanceof ApiError && error.code === 'UPLOAD_INCOMPLETE')) throw error;
          dropRecord(record.fileId);
          await this.api.del(`/v1/files/${record.fileId}`);
          this.record = null;
          return await this.declare(signal, record.sha256);
        }
      }
      return await this.sendMultipart(await this.storedParts(signal), signal);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 409 && error.code !== 'UPLOAD_INCOMPLETE') {
        // No longer pending: the complete went through before the reload.
        return this.api.get<FileItem>(`/v1/files/${record.fileId}`, { signal });
      }
      if (error.status === 404)
        throw new UploadEnded(`${record.name} was deleted: choose it again to upload it anew.`);
      if (error.code === 'GONE') {
        throw new UploadEnded(
          `The upload window for ${record.name} has closed: choose it again to upload it anew.`,
        );
      }
      throw error;
    }
  }

  /** Waits for a multipart upload's read-back: verifying → ready or rejected. */
  private async settle(file: FileItem, signal: AbortSignal): Promise<void> {
    let current = file;
    const started = Date.now();
    for (let attempt = 0; current.status === 'verifying'; attempt++) {
      if (Date.now() - started >= VERIFY_WAIT_MS) {
        // Completed: nothing left to resume. The live Files list shows the verdict.
        dropRecord(current.id);
        this.set({
          phase: 'checking',
          fraction: 1,
          text: 'Still verifying on the server — it will show as ready in Files',
          retryable: false,
        });
        return;
      }
      this.set({ phase: 'verifying', fraction: 1, text: 'Verifying', retryable: false });
      await sleep(Math.min(1000 + attempt * 250, 5000), signal);
      try {
        current = await this.api.get<FileItem>(`/v1/files/${current.id}`, { signal });
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          throw new UploadEnded(`${current.name} was deleted.`);
        }
        if (!transient(error)) throw error;
      }
    }
    if (current.status === 'deleted') throw new UploadEnded(`${current.name} was deleted.`);
    if (current.status !== 'ready') {
      throw new UploadEnded(
        `${current.name} was rejected: storage did not hold the bytes that were hashed.`,
      );
    }
    dropRecord(current.id);
    this.set({ phase: 'ready', fraction: 1, text: 'Ready', retryable: false });
    this.onReady(current);
  }

  private mustRecord(): UploadRecord {
    if (this.record === null) throw new Error('no upload declared');
    return this.record;
  }
}

/** The picker's type, bare (the API takes no parameters), or octet-stream when it has none. */
function contentTypeOf(file: File): string {
  const bare = file.type.split(';')[0]?.trim() ?? '';
  return bare === '' ? 'application/octet-stream' : bare;
}

function partSize(record: UploadRecord, n: number): number {
  const [start, end] = partRange(record.size, record.partSize, n);
  return end - start;
}

/** Worth another try: nothing answered, storage or the API was busy or down. */
export function transient(error: unknown): boolean {
  const status = error instanceof PutError || error instanceof ApiError ? error.status : undefined;
  return status === 0 || status === 429 || (status !== undefined && status >= 500);
}

export const backoff = (attempt: number): number => Math.min(1000 * 2 ** attempt, 15_000);

/** An answer after which the same upload cannot go on. */
function isFinal(error: unknown): boolean {
  if (error instanceof PutError) return error.status === 400;
  if (!(error instanceof ApiError)) return false;
  return [404, 410, 413, 415, 422].includes(error.status);
}
