// In-memory index of buckets, objects and multipart uploads, persisted to disk as sidecars.
// The index is loaded once at start; every mutation is serialized through one lock so the
// sidecar on disk and the index never disagree.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFiles, readSegments, type DataSegment } from './data-files.js';
import { Layout, ensureDir, removeQuietly, removeTree, writeJsonAtomic } from './disk.js';
import { S3Error } from './errors.js';
import {
  dataFileNames,
  loadBuckets,
  type BucketRecord,
  type BucketState,
  type ObjectData,
  type ObjectRecord,
  type PartRecord,
  type UploadRecord,
  type UploadState,
} from './store-records.js';

export type {
  BucketRecord,
  ObjectData,
  ObjectRecord,
  PartRecord,
  StoredHeaders,
  UploadRecord,
  UploadState,
} from './store-records.js';

export class Store {
  readonly layout: Layout;
  private readonly buckets = new Map<string, BucketState>();
  private lock: Promise<unknown> = Promise.resolve();
  private readonly data = new DataFiles();

  private constructor(root: string) {
    this.layout = new Layout(root);
  }

  static async open(root: string): Promise<Store> {
    const store = new Store(root);
    await store.load();
    return store;
  }

  /** Runs `fn` after every earlier mutation has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    for (const [name, state] of await loadBuckets(this.layout)) this.buckets.set(name, state);
  }

  tempFile(): string {
    return this.layout.tempFile();
  }

  // --- buckets -------------------------------------------------------------------------------

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()]
      .map((b) => b.record)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  bucket(name: string): BucketRecord {
    return this.state(name).record;
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  private state(name: string): BucketState {
    const state = this.buckets.get(name);
    if (!state) throw new S3Error('NoSuchBucket', undefined, { BucketName: name });
    return state;
  }

  createBucket(name: string): Promise<void> {
    return this.exclusive(async () => {
      if (this.buckets.has(name))
        throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: name });
      const record: BucketRecord = { name, created: Date.now() };
      await ensureDir(this.layout.objectsDir(name));
      await ensureDir(this.layout.uploadsDir(name));
      await writeJsonAtomic(this.layout.bucketFile(name), record);
      this.buckets.set(name, { record, objects: new Map(), uploads: new Map(), sorted: undefined });
    });
  }

  deleteBucket(name: string): Promise<void> {
    return this.exclusive(async () => {
      const state = this.state(name);
      if (state.objects.size > 0)
        throw new S3Error('BucketNotEmpty', undefined, { BucketName: name });
      this.buckets.delete(name);
      await removeTree(this.layout.bucketDir(name));
    });
  }

  updateBucket(
    name: string,
    patch: Partial<Omit<BucketRecord, 'name' | 'created'>>,
  ): Promise<void> {
    return this.exclusive(async () => {
      const state = this.state(name);
      const record: BucketRecord = { ...state.record, ...patch };
      for (const k of Object.keys(patch) as Array<keyof typeof patch>) {
        if (patch[k] === undefined) delete record[k];
      }
      await writeJsonAtomic(this.layout.bucketFile(name), record);
      state.record = record;
    });
  }

  // --- objects -------------------------------------------------------------------------------

  getObject(bucket: string, key: string): ObjectRecord | undefined {
    return this.state(bucket).objects.get(key);
  }

  /** The object's data files with their sizes, in order. */
  private segmentsOf(bucket: string, record: ObjectRecord): DataSegment[] {
    const dir = this.layout.objectsDir(bucket);
    if (!record.segments) return [{ path: join(dir, record.file), size: record.size }];
    return record.segments.map((f, i) => ({
      path: join(dir, f),
      size: record.partSizes?.[i] ?? 0,
    }));
  }

  private dataPaths(bucket: string, record: ObjectRecord): string[] {
    return dataFileNames(record).map((f) => join(this.layout.objectsDir(bucket), f));
  }

  /**
   * The object's bytes for reading. Call synchronously after looking the record up, and
   * `release()` when done: until then its files outlive any overwrite or delete.
   */
  openData(bucket: string, record: ObjectRecord): ObjectData {
    const release = this.data.pin(this.dataPaths(bucket, record));
    const segments = this.segmentsOf(bucket, record);
    return {
      read: (start = 0, end = record.size - 1) => readSegments(segments, start, end),
      release,
    };
  }

  /** Keys in S3 order: lexicographic by UTF-8 bytes. */
  sortedKeys(bucket: string): readonly string[] {
    const state = this.state(bucket);
    state.sorted ??= [...state.objects.keys()]
      .map((k) => ({ k, b: Buffer.from(k, 'utf8') }))
      .sort((x, y) => Buffer.compare(x.b, y.b))
      .map((e) => e.k);
    return state.sorted;
  }

  /**
   * Moves a fully received temp file into place as the new version of `key`. `check` runs under
   * the lock with the current version, so conditional writes cannot race each other.
   */
  commitObject(
    bucket: string,
    tmpPath: string,
    record: Omit<ObjectRecord, 'file'>,
    check?: (current: ObjectRecord | undefined) => void,
  ): Promise<ObjectRecord> {
    return this.exclusive(async () => {
      const state = this.state(bucket);
      const previous = state.objects.get(record.key);
      check?.(previous);
      const full: ObjectRecord = { ...record, file: this.layout.newObjectFile(record.key) };
      await rename(tmpPath, join(this.layout.objectsDir(bucket), full.file));
      await this.install(bucket, state, full, previous);
      return full;
    });
  }

  /**
   * CompleteMultipartUpload: the (claimed) upload's part files become the object's data as
   * they are, moved rather than copied; the upload is gone afterwards.
   */
  commitMultipart(
    bucket: string,
    upload: UploadState,
    parts: readonly PartRecord[],
    record: Omit<ObjectRecord, 'file' | 'segments'>,
    check?: (current: ObjectRecord | undefined) => void,
  ): Promise<ObjectRecord> {
    return this.exclusive(async () => {
      const state = this.state(bucket);
      const previous = state.objects.get(record.key);
      check?.(previous);
      const { uploadId } = upload.record;
      const objects = this.layout.objectsDir(bucket);
      const segments: string[] = [];
      try {
        for (const part of parts) {
          const name = this.layout.newObjectFile(record.key);
          await rename(this.partPath(bucket, uploadId, part), join(objects, name));
          segments.push(name);
        }
      } catch (err) {
        // Put back what was moved, so the upload stays whole for a retry.
        await Promise.all(
          segments.map((name, i) =>
            rename(join(objects, name), this.partPath(bucket, uploadId, parts[i])).catch(
              () => undefined,
            ),
          ),
        );
        throw err;
      }
      const full: ObjectRecord = { ...record, file: '', segments };
      await this.install(bucket, state, full, previous);
      state.uploads.delete(uploadId);
      await removeTree(this.layout.uploadDir(bucket, uploadId));
      return full;
    });
  }

  /** Makes `full` (its data already in place) the current version; the previous one goes. */
  private async install(
    bucket: string,
    state: BucketState,
    full: ObjectRecord,
    previous: ObjectRecord | undefined,
  ): Promise<void> {
    await writeJsonAtomic(this.layout.objectSidecar(bucket, full.key), full);
    state.objects.set(full.key, full);
    if (!previous) state.sorted = undefined;
    if (previous) await this.data.discard(this.dataPaths(bucket, previous));
  }

  deleteObject(bucket: string, key: string): Promise<boolean> {
    return this.exclusive(async () => {
      const state = this.state(bucket);
      const previous = state.objects.get(key);
      if (!previous) return false;
      state.objects.delete(key);
      state.sorted = undefined;
      await removeQuietly(this.layout.objectSidecar(bucket, key));
      await this.data.discard(this.dataPaths(bucket, previous));
      return true;
    });
  }

  // --- multipart uploads ---------------------------------------------------------------------

  createUpload(bucket: string, record: UploadRecord): Promise<void> {
    return this.exclusive(async () => {
      const state = this.state(bucket);
      const dir = this.layout.uploadDir(bucket, record.uploadId);
      await ensureDir(dir);
      await writeJsonAtomic(join(dir, 'upload.json'), record);
      state.uploads.set(record.uploadId, { record, parts: new Map(), busy: false });
    });
  }

  /** The upload, checked against the key it was created for; NoSuchUpload otherwise. */
  upload(bucket: string, key: string, uploadId: string): UploadState {
    const upload = this.state(bucket).uploads.get(uploadId);
    if (!upload || upload.record.key !== key || upload.busy) {
      throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
    }
    return upload;
  }

  uploads(bucket: string): UploadState[] {
    return [...this.state(bucket).uploads.values()];
  }

  partPath(bucket: string, uploadId: string, part: Pick<PartRecord, 'file'>): string {
    return join(this.layout.uploadDir(bucket, uploadId), part.file);
  }

  commitPart(
    bucket: string,
    key: string,
    uploadId: string,
    tmpPath: string,
    part: Omit<PartRecord, 'file'>,
  ): Promise<PartRecord> {
    return this.exclusive(async () => {
      const upload = this.upload(bucket, key, uploadId);
      const dir = this.layout.uploadDir(bucket, uploadId);
      const full: PartRecord = {
        ...part,
        file: `part-${part.partNumber}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.data`,
      };
      await rename(tmpPath, join(dir, full.file));
      await writeJsonAtomic(join(dir, `part-${part.partNumber}.json`), full);
      const previous = upload.parts.get(part.partNumber);
      upload.parts.set(part.partNumber, full);
      if (previous) await removeQuietly(join(dir, previous.file));
      return full;
    });
  }

  /** Marks an upload as being completed so parallel completes/aborts see NoSuchUpload. */
  claimUpload(bucket: string, key: string, uploadId: string): UploadState {
    const upload = this.upload(bucket, key, uploadId);
    upload.busy = true;
    return upload;
  }

  releaseUpload(upload: UploadState): void {
    upload.busy = false;
  }

  removeUpload(bucket: string, uploadId: string): Promise<void> {
    return this.exclusive(async () => {
      const state = this.buckets.get(bucket);
      state?.uploads.delete(uploadId);
      await removeTree(this.layout.uploadDir(bucket, uploadId));
    });
  }
}
