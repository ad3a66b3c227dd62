// What the worker specs look at from outside the product: the bucket through the storage API
// (ListObjectsV2, ListMultipartUploads, HeadObject, a planted PutObject) and the worker's
// Prometheus metrics as an operator scrapes them, and the deletes storage received (S3 taps).
import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { JOB_NAMES, jobIntervalVariable, type JobName } from '@app/config';
import type { TestBackends } from '../../support/backends.js';
import { testS3Client } from '../../support/s3-client.js';
import type { S3Tap, TappedRequest } from '../../support/s3-tap.js';

/** The settings that make every lifecycle job tick each second (what the worker specs run with). */
export const FAST_JOBS: Record<string, string> = {
  CLEANUP_INTERVAL_SECONDS: '1',
  LEASE_TTL_SECONDS: '2',
};

/**
 * FAST_JOBS for `fast` only: every other job waits an hour after its first run at start, so that
 * whatever a worker deletes or writes during a scenario is the doing of the jobs under test.
 */
export function onlyJobsFast(...fast: JobName[]): Record<string, string> {
  const env = { ...FAST_JOBS };
  for (const job of JOB_NAMES) if (!fast.includes(job)) env[jobIntervalVariable(job)] = '3600';
  return env;
}

/** The keys a DeleteObjects (its body's keys) or DeleteObject (its key) request names. */
export function deletedBy(request: TappedRequest): string[] {
  const deletes = request.operation === 'DeleteObjects' || request.operation === 'DeleteObject';
  return deletes ? (request.keys ?? []) : [];
}

/**
 * Key → how often the taps' delete requests at or after `since` named it: every appearance
 * counts (unlike S3Tap.deletedKeys, once per request), so "deleted exactly once" is `=== 1`.
 */
export function deletesSince(taps: S3Tap[], since: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tap of taps) {
    for (const request of tap.requests) {
      if (request.at < since) continue;
      for (const key of deletedBy(request)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** A storage client for the test's own looks, outside the product. */
export function bucketClient(backends: TestBackends): S3Client {
  const { endpoint, region, accessKeyId, secretAccessKey } = backends.s3;
  return testS3Client(
    { endpoint, region, credentials: { accessKeyId, secretAccessKey } },
    { maxAttempts: 2 },
  );
}

/** Every key under `prefix` (ListObjectsV2, all pages), in listing order. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** The keys of the multipart uploads in progress under `prefix` (ListMultipartUploads). */
export async function listUploads(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    for (const upload of page.Uploads ?? []) if (upload.Key !== undefined) keys.push(upload.Key);
    if (page.IsTruncated !== true) return keys;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/** Writes an object straight into the bucket, as something outside the product would. */
export async function plantObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Buffer,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain' }),
  );
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of metric `name` in a Prometheus text exposition (any label order). */
export function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ''] = pair[2] ?? '';
    }
    out.push({ labels, value: Number(match[2]) });
  }
  return out;
}

/** The sum of the samples of `name` whose labels include `match`. */
export function total(text: string, name: string, match: Record<string, string> = {}): number {
  return samples(text, name)
    .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
