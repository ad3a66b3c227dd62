// On-disk layout. Object keys never become paths: files are named after the SHA-256 of the key
// plus a random suffix, with a JSON sidecar holding the key and metadata.
//   <dataDir>/.tmp/<uuid>                                  uploads in flight
//   <dataDir>/buckets/<bucket>/bucket.json                 bucket settings (CORS, lifecycle)
//   <dataDir>/buckets/<bucket>/objects/<sha256(key)>.json  object sidecar
//   <dataDir>/buckets/<bucket>/objects/<sha256(key)>.<rand>.data   (a multipart object: one per part)
//   <dataDir>/buckets/<bucket>/uploads/<uploadId>/upload.json, part-<n>.json, part-<n>.<rand>.data
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class Layout {
  constructor(readonly root: string) {}

  get tmpDir(): string {
    return join(this.root, '.tmp');
  }
  get bucketsDir(): string {
    return join(this.root, 'buckets');
  }
  bucketDir(bucket: string): string {
    return join(this.bucketsDir, bucket);
  }
  bucketFile(bucket: string): string {
    return join(this.bucketDir(bucket), 'bucket.json');
  }
  objectsDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'objects');
  }
  objectSidecar(bucket: string, key: string): string {
    return join(this.objectsDir(bucket), `${keyHash(key)}.json`);
  }
  /** A fresh data file name for a new version of `key`. */
  newObjectFile(key: string): string {
    return `${keyHash(key)}.${randomBytes(6).toString('hex')}.data`;
  }
  uploadsDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'uploads');
  }
  uploadDir(bucket: string, uploadId: string): string {
    return join(this.uploadsDir(bucket), uploadId);
  }
  tempFile(): string {
    return join(this.tmpDir, randomUUID());
  }
}

export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Writes JSON through a temporary file and a rename, so readers never see half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, path);
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

export async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}
