// The store's records (what the sidecars hold) and loading them from disk at start.
import { join } from 'node:path';
import type { ChecksumAlgorithm, ChecksumType, StoredChecksum } from './checksums.js';
import type { CorsRule } from './cors.js';
import {
  ensureDir,
  keyHash,
  listDir,
  readJson,
  removeQuietly,
  removeTree,
  type Layout,
} from './disk.js';

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
  /** Data file name inside the bucket's objects directory ('' for a multipart object). */
  file: string;
  /** A multipart object's data: one file per part, in order (sizes in partSizes). */
  segments?: string[];
}

/** An object's data held open for reading (see Store.openData). */
export interface ObjectData {
  /** Bytes `start..end` (inclusive; default: all). */
  read(start?: number, end?: number): AsyncGenerator<Buffer>;
  release(): void;
}

/** The data file names of an object, in order. */
export function dataFileNames(record: Pick<ObjectRecord, 'file' | 'segments'>): string[] {
  return record.segments ?? [record.file];
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

export interface BucketState {
  record: BucketRecord;
  objects: Map<string, ObjectRecord>;
  uploads: Map<string, { record: UploadRecord; parts: Map<number, PartRecord>; busy: boolean }>;
  sorted: string[] | undefined;
}

export type UploadState = BucketState['uploads'] extends Map<string, infer U> ? U : never;

/** Reads every bucket, object and upload under `layout`; drops leftovers of interrupted writes. */
export async function loadBuckets(layout: Layout): Promise<Map<string, BucketState>> {
  const buckets = new Map<string, BucketState>();
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
        for (const f of dataFileNames(obj)) referenced.add(f);
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
    buckets.set(name, state);
  }
  return buckets;
}
