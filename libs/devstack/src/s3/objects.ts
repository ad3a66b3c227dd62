// Single-object operations: PutObject, GetObject, HeadObject, DeleteObject, CopyObject.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { receiveToFile } from './body.js';
import {
  Checksummer,
  checksumElement,
  checksumHeader,
  parseAlgorithm,
  type StoredChecksum,
} from './checksums.js';
import { evaluateReadConditions, parseRange, type ByteRange } from './conditions.js';
import {
  header,
  isoDate,
  requireBucket,
  requireKey,
  sendEmpty,
  sendXml,
  type S3Context,
} from './context.js';
import { removeQuietly } from './disk.js';
import { S3Error, notImplemented } from './errors.js';
import {
  objectResponseHeaders,
  refuseUnsupportedHeaders,
  representationFromRequest,
} from './headers.js';
import type { ObjectRecord } from './store.js';
import { decodeComponent } from './sigv4.js';

type WriteCheck = (current: ObjectRecord | undefined) => void;

/** If-None-Match: * and If-Match on writes, checked before the body and again at commit. */
export function writeConditions(ctx: S3Context): WriteCheck {
  const ifNoneMatch = header(ctx, 'if-none-match');
  const ifMatch = header(ctx, 'if-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw notImplemented('If-None-Match with a value other than * on writes');
  }
  return (current) => {
    if (ifNoneMatch !== undefined && current) {
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
    }
    if (ifMatch !== undefined) {
      if (!current) throw new S3Error('NoSuchKey', undefined, { Key: ctx.key ?? '' });
      const bare = current.etag.replace(/"/g, '');
      if (ifMatch.trim() !== '*' && ifMatch.replace(/"/g, '').trim() !== bare) {
        throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
      }
    }
  };
}

export function checksumHeaders(checksum: StoredChecksum | undefined): OutgoingHttpHeaders {
  if (!checksum) return {};
  return {
    [checksumHeader(checksum.algorithm)]: checksum.value,
    'x-amz-checksum-type': checksum.type,
  };
}

export async function putObject(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.store.bucket(bucket);
  refuseUnsupportedHeaders(ctx);
  const representation = representationFromRequest(ctx);
  const check = writeConditions(ctx);
  check(ctx.store.getObject(bucket, key));
  const tmp = ctx.store.tempFile();
  const body = await receiveToFile(ctx, tmp);
  const checksum: StoredChecksum | undefined = body.checksum && {
    algorithm: body.checksum.algorithm,
    value: body.checksum.value,
    type: 'FULL_OBJECT',
  };
  try {
    const record = await ctx.store.commitObject(
      bucket,
      tmp,
      {
        key,
        size: body.size,
        etag: `"${body.md5.toString('hex')}"`,
        lastModified: Date.now(),
        ...representation,
        checksum,
      },
      check,
    );
    sendEmpty(ctx, 200, { etag: record.etag, ...checksumHeaders(checksum) });
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  }
}

function lookup(ctx: S3Context): ObjectRecord {
  const record = ctx.store.getObject(requireBucket(ctx), requireKey(ctx));
  if (!record) throw new S3Error('NoSuchKey', undefined, { Key: requireKey(ctx) });
  return record;
}

/** The byte range of one part (`?partNumber=`); a simple object is its own part 1. */
function partRange(ctx: S3Context, record: ObjectRecord, raw: string): ByteRange {
  if (ctx.headers.has('range')) {
    throw new S3Error(
      'InvalidRequest',
      'Cannot specify both Range header and partNumber query parameter',
    );
  }
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 10000)) {
    throw new S3Error(
      'InvalidArgument',
      'Part number must be an integer between 1 and 10000, inclusive',
      { ArgumentName: 'partNumber', ArgumentValue: raw },
    );
  }
  const sizes = record.partSizes ?? [record.size];
  if (n > sizes.length || record.size === 0) {
    throw new S3Error('InvalidPartNumber', 'The requested partnumber is not satisfiable', {
      PartNumberRequested: raw,
      ActualPartCount: String(sizes.length),
    });
  }
  const start = sizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  return { start, end: start + sizes[n - 1] - 1 };
}

/** GetObject and HeadObject. */
export async function getObject(ctx: S3Context): Promise<void> {
  const record = lookup(ctx);
  // Held from the lookup on, so an overwrite or delete in the meantime cannot cut the body.
  const data = ctx.method === 'HEAD' ? undefined : ctx.store.openData(requireBucket(ctx), record);
  try {
    if (evaluateReadConditions((n) => header(ctx, n), record) === 'not-modified') {
      ctx.res.writeHead(304, {
        etag: record.etag,
        'last-modified': new Date(record.lastModified).toUTCString(),
      });
      ctx.res.end();
      return;
    }
    let range: ByteRange | undefined;
    const partNumber = ctx.query.get('partNumber');
    try {
      range =
        partNumber === undefined
          ? parseRange(header(ctx, 'range'), record.size)
          : partRange(ctx, record, partNumber);
    } catch (err) {
      ctx.res.setHeader('content-range', `bytes */${record.size}`);
      throw err;
    }
    // A part of a composite-checksum object has its own checksum we do not keep per object.
    const headers = objectResponseHeaders(ctx, record, range === undefined);
    if (partNumber !== undefined) headers['x-amz-mp-parts-count'] = record.partsCount ?? 1;
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${record.size}`;
      headers['content-length'] = range.end - range.start + 1;
    } else {
      headers['content-length'] = record.size;
    }
    ctx.res.writeHead(range ? 206 : 200, headers);
    if (!data || record.size === 0) {
      ctx.res.end();
      return;
    }
    const body = data.read(range?.start ?? 0, range?.end ?? record.size - 1);
    await pipeline(body, ctx.res).catch(() => ctx.res.destroy());
  } finally {
    data?.release();
  }
}

export async function deleteObject(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  if (ctx.headers.has('if-match')) throw notImplemented('Conditional DeleteObject');
  await ctx.store.deleteObject(bucket, requireKey(ctx));
  sendEmpty(ctx, 204);
}

function parseCopySource(value: string): { bucket: string; key: string } {
  let source = value;
  if (/[?&]versionId=/.test(source)) {
    const [path, query] = source.split('?', 2);
    if (query !== 'versionId=null') throw notImplemented('Copying a specific object version');
    source = path;
  }
  source = decodeComponent(source).replace(/^\//, '');
  const slash = source.indexOf('/');
  if (slash <= 0 || slash === source.length - 1) {
    throw new S3Error('InvalidArgument', 'Invalid copy source object key', {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: value,
    });
  }
  return { bucket: source.slice(0, slash), key: source.slice(slash + 1) };
}

export async function copyObject(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.store.bucket(bucket);
  refuseUnsupportedHeaders(ctx);
  const src = parseCopySource(header(ctx, 'x-amz-copy-source') ?? '');
  ctx.store.bucket(src.bucket);
  const source = ctx.store.getObject(src.bucket, src.key);
  if (!source) throw new S3Error('NoSuchKey', undefined, { Key: src.key });
  const copyCondition = (name: string): string | undefined =>
    header(ctx, `x-amz-copy-source-${name}`);
  // For copies every failed condition is a 412, including the "not modified" ones.
  if (evaluateReadConditions(copyCondition, source) === 'not-modified') {
    throw new S3Error('PreconditionFailed', undefined, {
      Condition: 'x-amz-copy-source-If-None-Match',
    });
  }
  const directive = header(ctx, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive.', {
      ArgumentName: 'x-amz-metadata-directive',
      ArgumentValue: directive,
    });
  }
  if (src.bucket === bucket && src.key === key && directive === 'COPY') {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const requested = header(ctx, 'x-amz-checksum-algorithm');
  const algorithm =
    requested !== undefined ? parseAlgorithm(requested) : source.checksum?.algorithm;
  const check = writeConditions(ctx);
  check(ctx.store.getObject(bucket, key));

  const tmp = ctx.store.tempFile();
  const md5 = createHash('md5');
  const checksummer = algorithm ? new Checksummer(algorithm) : undefined;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      md5.update(chunk);
      checksummer?.update(chunk);
      done(null, chunk);
    },
  });
  try {
    // Nothing awaited since the lookup: the source's data is still the version checked above.
    const data = ctx.store.openData(src.bucket, source);
    await pipeline(data.read(), hasher, createWriteStream(tmp)).finally(() => data.release());
    const checksum: StoredChecksum | undefined = checksummer && {
      algorithm: checksummer.algorithm,
      value: checksummer.digest().toString('base64'),
      type: 'FULL_OBJECT',
    };
    const representation =
      directive === 'REPLACE'
        ? representationFromRequest(ctx)
        : { contentType: source.contentType, headers: source.headers, metadata: source.metadata };
    const record = await ctx.store.commitObject(
      bucket,
      tmp,
      {
        key,
        size: source.size,
        etag: `"${md5.digest('hex')}"`,
        lastModified: Date.now(),
        ...representation,
        checksum,
      },
      check,
    );
    sendXml(
      ctx,
      200,
      'CopyObjectResult',
      {
        LastModified: isoDate(record.lastModified),
        ETag: record.etag,
        ...(checksum
          ? { [checksumElement(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }
          : {}),
      },
      checksumHeaders(checksum),
    );
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  }
}
