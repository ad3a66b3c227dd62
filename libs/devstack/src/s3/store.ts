// In-memory index of buckets, objects and multipart uploads, persisted to disk as sidecars.
// The index is loaded once at start; every mutation is serialized through one lock so the
// sidecar on disk and the index never disagree.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChecksumAlgorithm, ChecksumType, StoredChecksum } from './checksums.js';
import type { CorsRule } from './cors.js';
import {
  Layout,
  ensureDir,
  keyHash,
  listDir,
  readJson,
  removeQuietly,
  removeTree,
  writeJsonAtomic,
} from './disk.js';
import { S3Error } from './errors.js';

/** Stored representation headers besides Content-Type (Content-Disposition, Cache-Control…). */
export type StoredHeaders = Record<string, string>;

export interface ObjectRecord {
  key: string;
  size: number;
  /** Quoted, as sent in the ETag header. */
  etag: string;
  lastModified: number;
  contentType: string;
  headers: StoredHeaders;
  /** User metadata without the `x-amz-meta-` prefix, names lower-case. */
  metadata: Record<string, string>;
  checksum?: StoredChecksum;
  partsCount?: number;
  /** Part sizes in order, for GetObject/HeadObject by partNumber on multipart objects. */
  partSizes?: number[];
  /** Data file name inside the bucket's objects directory. */
  file: string;
}

export interface PartRecord {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: number;
  /** Base64 digest in the upload's checksum algorithm, if it has one. */
  checksum?: string;
  file: string;
}

export interface UploadRecord {
  uploadId: string;
  key: string;
  initiated: number;
  contentType: string;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
}

export interface BucketRecord {
  name: string;
  created: number;
  cors?: CorsRule[];
  /** The validated LifecycleConfiguration document, returned as stored. */
  lifecycle?: string;
}

interface BucketState {
  record: BucketRecord;
  objects: Map<string, ObjectRecord>;
  uploads: Map<string, { record: UploadRecord; parts: Map<number, PartRecord>; busy: boolean }>;
  sorted: string[] | undefined;
}

export type UploadState = BucketState['uploads'] extends Map<string, infer U> ? U : never;

export class Store {
  readonly layout: Layout;
  private readonly buckets = new Map<string, BucketState>();
  private lock: Promise<unknown> = Promise.resolve();

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
    const { layout } = this;
    await removeTree(layout.tmpDir);
    await ensureDir(layout.tmpDir);
    await ensureDir(layout.bucketsDir);
    for (const name of await listDir(layout.bucketsDir)) {
      const record = await readJson<BucketRecord>(layout.bucketFile(name));
      if (!record) continue;
      const state: BucketState = {
        record,
        objects: new Map(),
        uploads: new Map(),
        sorted: undefined,
      };
      const files = await listDir(layout.objectsDir(name));
      const referenced = new Set<string>();
      for (const f of files.filter((f) => f.endsWith('.json'))) {
        const obj = await readJson<ObjectRecord>(join(layout.objectsDir(name), f));
        if (obj && `${keyHash(obj.key)}.json` === f) {
          state.objects.set(obj.key, obj);
          referenced.add(obj.file);
        }
      }
      // Data files no sidecar points to are leftovers of interrupted writes.
      for (const f of files.filter((f) => f.endsWith('.data') && !referenced.has(f))) {
        await removeQuietly(join(layout.objectsDir(name), f));
      }
      for (const id of await listDir(layout.uploadsDir(name))) {
        const dir = layout.uploadDir(name, id);
        const upload = await readJson<UploadRecord>(join(dir, 'upload.json'));
        if (!upload) continue;
        const parts = new Map<number, PartRecord>();
        for (const f of (await listDir(dir)).filter((f) => /^part-\d+\.json$/.test(f))) {
          const part = await readJson<PartRecord>(join(dir, f));
          if (part) parts.set(part.partNumber, part);
        }
        state.uploads.set(id, { record: upload, parts, busy: false });
      }
      this.buckets.set(name, state);
    }
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

  objectPath(bucket: string, record: Pick<ObjectRecord, 'file'>): string {
    return join(this.layout.objectsDir(bucket), record.file);
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
      await rename(tmpPath, this.objectPath(bucket, full));
      await writeJsonAtomic(this.layout.objectSidecar(bucket, record.key), full);
      state.objects.set(record.key, full);
      if (!previous) state.sorted = undefined;
      if (previous) await removeQuietly(this.objectPath(bucket, previous));
      return full;
    });
  }

  deleteObject(bucket: string, key: string): Promise<boolean> {
    return this.exclusive(async () => {
      const state = this.state(bucket);
      const previous = state.objects.get(key);
      if (!previous) return false;
      state.objects.delete(key);
      state.sorted = undefined;
      await removeQuietly(this.layout.objectSidecar(bucket, key));
      await removeQuietly(this.objectPath(bucket, previous));
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
