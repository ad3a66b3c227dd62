// ListMultipartUploads, and the upload ids whose order its pagination relies on.
import { randomBytes } from 'node:crypto';
import { isoDate, requireBucket, sendXml, type S3Context } from './context.js';
import { S3Error } from './errors.js';
import { keyEncoder } from './list.js';
import type { XmlObject } from './xml.js';

const OWNER = { ID: 'devstack', DisplayName: 'devstack' };
const MAX_UPLOADS = 1000;

let lastStamp = 0;

/**
 * A new upload id. S3 lists the uploads of one key in initiation order and resumes after
 * `upload-id-marker` among the ids "lexicographically greater" than it; both hold only if ids
 * grow with initiation time. So an id starts with a strictly increasing, fixed-width base-36
 * millisecond stamp (digits and lower-case letters sort the same in ASCII), then randomness.
 */
export function newUploadId(now = Date.now()): string {
  lastStamp = Math.max(now, lastStamp + 1);
  return lastStamp.toString(36).padStart(10, '0') + randomBytes(24).toString('base64url');
}

function maxUploadsParam(ctx: S3Context): number {
  const raw = ctx.query.get('max-uploads') ?? String(MAX_UPLOADS);
  if (!/^\d+$/.test(raw))
    throw new S3Error(
      'InvalidArgument',
      'Provided max-uploads not an integer or within integer range',
      { ArgumentName: 'max-uploads', ArgumentValue: raw },
    );
  return Math.min(Number(raw), MAX_UPLOADS);
}

const byKey = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function listMultipartUploads(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  const enc = keyEncoder(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const keyMarker = ctx.query.get('key-marker') ?? '';
  // Without a key marker S3 ignores the upload-id marker.
  const idMarker = keyMarker === '' ? '' : (ctx.query.get('upload-id-marker') ?? '');
  const maxUploads = maxUploadsParam(ctx);
  const all = ctx.store
    .uploads(bucket)
    .map((u) => u.record)
    .filter((u) => u.key.startsWith(prefix))
    .sort(
      (a, b) =>
        byKey(a.key, b.key) || a.initiated - b.initiated || (a.uploadId < b.uploadId ? -1 : 1),
    )
    .filter((u) => {
      if (keyMarker === '') return true;
      const c = byKey(u.key, keyMarker);
      // With an upload-id marker, the marker key's later uploads are still listed.
      return c > 0 || (c === 0 && idMarker !== '' && u.uploadId > idMarker);
    });
  const uploads: XmlObject[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last: { key: string; uploadId: string } | undefined;
  for (const u of all) {
    let common: string | undefined;
    if (delimiter !== '') {
      const at = u.key.indexOf(delimiter, prefix.length);
      if (at >= 0) common = u.key.slice(0, at + delimiter.length);
    }
    if (common !== undefined && prefixes.includes(common)) continue;
    if (uploads.length + prefixes.length >= maxUploads) {
      truncated = true;
      break;
    }
    if (common !== undefined) prefixes.push(common);
    else
      uploads.push({
        Key: enc(u.key),
        UploadId: u.uploadId,
        Initiator: OWNER,
        Owner: OWNER,
        StorageClass: 'STANDARD',
        Initiated: isoDate(u.initiated),
        ChecksumAlgorithm: u.checksumAlgorithm,
        ChecksumType: u.checksumAlgorithm ? u.checksumType : undefined,
      });
    last = { key: common ?? u.key, uploadId: common === undefined ? u.uploadId : '' };
  }
  sendXml(ctx, 200, 'ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: enc(keyMarker),
    UploadIdMarker: idMarker,
    NextKeyMarker: truncated && last ? enc(last.key) : undefined,
    NextUploadIdMarker: truncated ? last?.uploadId : undefined,
    Delimiter: delimiter === '' ? undefined : enc(delimiter),
    Prefix: enc(prefix),
    MaxUploads: maxUploads,
    EncodingType: ctx.query.get('encoding-type'),
    IsTruncated: truncated,
    Upload: uploads,
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
  });
}
