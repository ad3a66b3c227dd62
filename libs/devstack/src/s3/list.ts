// ListObjectsV2, ListObjects (v1) and DeleteObjects.
import { receiveVerifiedXml } from './body.js';
import { requireBucket, isoDate, sendXml, type S3Context } from './context.js';
import { S3Error } from './errors.js';
import type { ObjectRecord } from './store.js';
import { uriEncode } from './sigv4.js';
import { children, parseXml, text, type XmlObject } from './xml.js';

const OWNER = { ID: 'devstack', DisplayName: 'devstack' };

interface Page {
  contents: ObjectRecord[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last: string | undefined;
}

/** Index of the first key after `bound` (or at it, if `inclusive`) in UTF-8 byte order. */
function seek(keys: readonly string[], bound: string, inclusive: boolean): number {
  const m = Buffer.from(bound, 'utf8');
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = Buffer.compare(Buffer.from(keys[mid], 'utf8'), m);
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Walks keys in order, rolling keys up into common prefixes, until `maxKeys` entries. */
export function listPage(
  ctx: S3Context,
  bucket: string,
  prefix: string,
  delimiter: string,
  marker: string,
  maxKeys: number,
): Page {
  const keys = ctx.store.sortedKeys(bucket);
  const page: Page = { contents: [], prefixes: [], truncated: false, last: undefined };
  let lastPrefix = marker;
  // Keys under a prefix are contiguous: start at the later of the prefix and the marker.
  const start = Math.max(seek(keys, prefix, true), marker === '' ? 0 : seek(keys, marker, false));
  for (let i = start; i < keys.length; i++) {
    const key = keys[i];
    if (!key.startsWith(prefix)) {
      if (Buffer.compare(Buffer.from(key), Buffer.from(prefix)) > 0) break;
      continue;
    }
    let common: string | undefined;
    if (delimiter !== '') {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) common = key.slice(0, at + delimiter.length);
    }
    if (common !== undefined && common === lastPrefix) continue;
    if (page.contents.length + page.prefixes.length >= maxKeys) {
      page.truncated = true;
      break;
    }
    if (common !== undefined) {
      page.prefixes.push(common);
      lastPrefix = common;
      page.last = common;
    } else {
      const record = ctx.store.getObject(bucket, key);
      if (record) page.contents.push(record);
      page.last = key;
    }
  }
  return page;
}

function maxKeysParam(ctx: S3Context, name: string): number {
  const raw = ctx.query.get(name);
  if (raw === undefined) return 1000;
  if (!/^\d+$/.test(raw))
    throw new S3Error(
      'InvalidArgument',
      'Provided max-keys not an integer or within integer range',
      { ArgumentName: name, ArgumentValue: raw },
    );
  return Math.min(Number(raw), 1000);
}

/** `encoding-type=url`: keys, prefixes and markers in a listing come back URL-encoded. */
export function keyEncoder(ctx: S3Context): (v: string) => string {
  const type = ctx.query.get('encoding-type');
  if (type === undefined) return (v) => v;
  if (type !== 'url')
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      ArgumentName: 'encoding-type',
      ArgumentValue: type,
    });
  return (v) => uriEncode(v, true);
}

function contentsXml(
  records: ObjectRecord[],
  enc: (v: string) => string,
  owner: boolean,
): XmlObject[] {
  return records.map((r) => ({
    Key: enc(r.key),
    LastModified: isoDate(r.lastModified),
    ETag: r.etag,
    ChecksumAlgorithm: r.checksum?.algorithm,
    ChecksumType: r.checksum?.type,
    Size: r.size,
    Owner: owner ? OWNER : undefined,
    StorageClass: 'STANDARD',
  }));
}

export function listObjectsV2(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  const enc = keyEncoder(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const maxKeys = maxKeysParam(ctx, 'max-keys');
  const token = ctx.query.get('continuation-token');
  const startAfter = ctx.query.get('start-after');
  let marker = startAfter ?? '';
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || !decoded.startsWith('1:'))
      throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
        ArgumentName: 'continuation-token',
      });
    marker = decoded.slice(2);
  }
  const page = listPage(ctx, bucket, prefix, delimiter, marker, maxKeys);
  sendXml(ctx, 200, 'ListBucketResult', {
    Name: bucket,
    Prefix: enc(prefix),
    Delimiter: delimiter === '' ? undefined : enc(delimiter),
    MaxKeys: maxKeys,
    EncodingType: ctx.query.get('encoding-type'),
    KeyCount: page.contents.length + page.prefixes.length,
    IsTruncated: page.truncated,
    ContinuationToken: token,
    NextContinuationToken:
      page.truncated && page.last !== undefined
        ? Buffer.from(`1:${page.last}`, 'utf8').toString('base64url')
        : undefined,
    StartAfter: startAfter === undefined ? undefined : enc(startAfter),
    Contents: contentsXml(page.contents, enc, ctx.query.get('fetch-owner') === 'true'),
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

export function listObjectsV1(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  const enc = keyEncoder(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const maxKeys = maxKeysParam(ctx, 'max-keys');
  const marker = ctx.query.get('marker') ?? '';
  const page = listPage(ctx, bucket, prefix, delimiter, marker, maxKeys);
  sendXml(ctx, 200, 'ListBucketResult', {
    Name: bucket,
    Prefix: enc(prefix),
    Marker: enc(marker),
    NextMarker: page.truncated && page.last !== undefined ? enc(page.last) : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter === '' ? undefined : enc(delimiter),
    EncodingType: ctx.query.get('encoding-type'),
    IsTruncated: page.truncated,
    Contents: contentsXml(page.contents, enc, true),
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

export async function deleteObjects(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  const doc = parseXml(await receiveVerifiedXml(ctx), 'Delete');
  const quiet = text(doc, 'Quiet') === 'true';
  const objects = children(doc, 'Object');
  if (objects.length === 0 || objects.length > 1000) throw new S3Error('MalformedXML');
  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  for (const node of objects) {
    const key = text(node, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML');
    if (text(node, 'VersionId') !== undefined) {
      errors.push({
        Key: key,
        Code: 'NotImplemented',
        Message: 'Versioned deletes are not implemented by the devstack S3 server.',
      });
      continue;
    }
    await ctx.store.deleteObject(bucket, key);
    if (!quiet) deleted.push({ Key: key });
  }
  sendXml(ctx, 200, 'DeleteResult', { Deleted: deleted, Error: errors });
}
