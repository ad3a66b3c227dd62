// Multipart uploads: Create, UploadPart, ListParts, Complete, Abort, ListMultipartUploads.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { receiveToBuffer, receiveToFile } from './body.js';
import {
  Checksummer,
  checksumElement,
  checksumHeader,
  compositeChecksum,
  isValidDigest,
  parseAlgorithm,
  type ChecksumAlgorithm,
  type ChecksumType,
  type StoredChecksum,
} from './checksums.js';
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
import { S3Error } from './errors.js';
import { refuseUnsupportedHeaders, representationFromRequest } from './headers.js';
import { checksumHeaders, writeConditions } from './objects.js';
import type { PartRecord, UploadState } from './store.js';
import { children, parseXml, text, type XmlObject } from './xml.js';

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_SIZE = 5 * 1024 ** 3;
const OWNER = { ID: 'devstack', DisplayName: 'devstack' };

function uploadIdParam(ctx: S3Context): string {
  const id = ctx.query.get('uploadId');
  if (!id) throw new S3Error('NoSuchUpload', undefined, { UploadId: '' });
  return id;
}

function checksumAlgorithmHeaders(
  algorithm: ChecksumAlgorithm | undefined,
  type: ChecksumType | undefined,
): Record<string, string> {
  return algorithm
    ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type ?? 'COMPOSITE' }
    : {};
}

export async function createMultipartUpload(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.store.bucket(bucket);
  refuseUnsupportedHeaders(ctx);
  const requested = header(ctx, 'x-amz-checksum-algorithm');
  const algorithm = requested === undefined ? undefined : parseAlgorithm(requested);
  const typeText = header(ctx, 'x-amz-checksum-type')?.toUpperCase();
  if (typeText !== undefined && typeText !== 'COMPOSITE' && typeText !== 'FULL_OBJECT') {
    throw new S3Error('InvalidRequest', `Value for x-amz-checksum-type header is invalid.`);
  }
  if (typeText !== undefined && !algorithm) {
    throw new S3Error(
      'InvalidRequest',
      'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    );
  }
  // S3 defaults to COMPOSITE for every algorithm we support.
  const checksumType: ChecksumType | undefined = algorithm ? (typeText ?? 'COMPOSITE') : undefined;
  if (checksumType === 'FULL_OBJECT' && algorithm?.startsWith('SHA')) {
    throw new S3Error(
      'InvalidRequest',
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  const uploadId = randomBytes(24).toString('base64url');
  await ctx.store.createUpload(bucket, {
    uploadId,
    key,
    initiated: Date.now(),
    ...representationFromRequest(ctx),
    checksumAlgorithm: algorithm,
    checksumType,
  });
  sendXml(
    ctx,
    200,
    'InitiateMultipartUploadResult',
    { Bucket: bucket, Key: key, UploadId: uploadId },
    checksumAlgorithmHeaders(algorithm, checksumType),
  );
}

export async function uploadPart(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.store.bucket(bucket);
  if (ctx.headers.has('x-amz-copy-source'))
    throw new S3Error(
      'NotImplemented',
      'UploadPartCopy is not implemented by the devstack S3 server.',
    );
  const raw = ctx.query.get('partNumber') ?? '';
  const partNumber = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(partNumber >= 1 && partNumber <= 10000)) {
    throw new S3Error(
      'InvalidArgument',
      'Part number must be an integer between 1 and 10000, inclusive',
      { ArgumentName: 'partNumber', ArgumentValue: raw },
    );
  }
  const uploadId = uploadIdParam(ctx);
  const upload = ctx.store.upload(bucket, key, uploadId);
  const tmp = ctx.store.tempFile();
  const body = await receiveToFile(ctx, tmp, {
    algorithm: upload.record.checksumAlgorithm,
    maxSize: MAX_PART_SIZE,
  });
  try {
    const part = await ctx.store.commitPart(bucket, key, uploadId, tmp, {
      partNumber,
      size: body.size,
      etag: `"${body.md5.toString('hex')}"`,
      lastModified: Date.now(),
      checksum: body.checksum?.value,
    });
    const headers: Record<string, string> = { etag: part.etag };
    if (body.checksum) headers[checksumHeader(body.checksum.algorithm)] = body.checksum.value;
    sendEmpty(ctx, 200, headers);
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  }
}

function partXml(part: PartRecord, algorithm: ChecksumAlgorithm | undefined): XmlObject {
  return {
    PartNumber: part.partNumber,
    LastModified: isoDate(part.lastModified),
    ETag: part.etag,
    Size: part.size,
    ...(algorithm && part.checksum ? { [checksumElement(algorithm)]: part.checksum } : {}),
  };
}

export function listParts(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.store.bucket(bucket);
  const uploadId = uploadIdParam(ctx);
  const upload = ctx.store.upload(bucket, key, uploadId);
  const markerText = ctx.query.get('part-number-marker') ?? '0';
  const maxText = ctx.query.get('max-parts') ?? '1000';
  if (!/^\d+$/.test(markerText))
    throw new S3Error(
      'InvalidArgument',
      'Provided part-number-marker not an integer or within integer range',
      { ArgumentName: 'part-number-marker', ArgumentValue: markerText },
    );
  if (!/^\d+$/.test(maxText))
    throw new S3Error(
      'InvalidArgument',
      'Provided max-parts not an integer or within integer range',
      { ArgumentName: 'max-parts', ArgumentValue: maxText },
    );
  const marker = Number(markerText);
  const maxParts = Math.min(Number(maxText), 1000);
  const all = [...upload.parts.values()]
    .filter((p) => p.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  const { checksumAlgorithm, checksumType } = upload.record;
  sendXml(ctx, 200, 'ListPartsResult', {
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length > 0 ? page[page.length - 1].partNumber : marker,
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: page.map((p) => partXml(p, checksumAlgorithm)),
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: 'STANDARD',
    ChecksumAlgorithm: checksumAlgorithm,
    ChecksumType: checksumAlgorithm ? checksumType : undefined,
  });
}

interface RequestedPart {
  partNumber: number;
  etag: string;
  checksum?: string;
}

function parseCompleteBody(xml: string, algorithm: ChecksumAlgorithm | undefined): RequestedPart[] {
  const doc = parseXml(xml, 'CompleteMultipartUpload');
  const parts = children(doc, 'Part').map((node): RequestedPart => {
    const number = text(node, 'PartNumber');
    const etag = text(node, 'ETag');
    if (number === undefined || etag === undefined || !/^\d+$/.test(number))
      throw new S3Error('MalformedXML');
    return {
      partNumber: Number(number),
      etag: etag.replace(/"/g, ''),
      checksum: algorithm ? text(node, checksumElement(algorithm)) : undefined,
    };
  });
  if (parts.length === 0)
    throw new S3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  return parts;
}

/** Checks the requested part list against what was uploaded, as S3 does, in S3's order. */
function resolveParts(upload: UploadState, requested: RequestedPart[]): PartRecord[] {
  const { checksumAlgorithm } = upload.record;
  for (let i = 1; i < requested.length; i++) {
    if (requested[i].partNumber <= requested[i - 1].partNumber)
      throw new S3Error('InvalidPartOrder', undefined, { UploadId: upload.record.uploadId });
  }
  const resolved = requested.map((want) => {
    const part = upload.parts.get(want.partNumber);
    if (!part || part.etag.replace(/"/g, '') !== want.etag) {
      throw new S3Error('InvalidPart', undefined, {
        UploadId: upload.record.uploadId,
        PartNumber: String(want.partNumber),
        ETag: want.etag,
      });
    }
    if (checksumAlgorithm && upload.record.checksumType === 'COMPOSITE') {
      if (want.checksum === undefined) {
        throw new S3Error(
          'InvalidRequest',
          `The upload was created using a ${checksumAlgorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${want.partNumber} in the request.`,
        );
      }
    }
    if (checksumAlgorithm && want.checksum !== undefined && want.checksum !== part.checksum) {
      throw new S3Error('InvalidPart', undefined, {
        UploadId: upload.record.uploadId,
        PartNumber: String(want.partNumber),
        ETag: want.etag,
      });
    }
    return part;
  });
  resolved.forEach((part, i) => {
    if (i < resolved.length - 1 && part.size < MIN_PART_SIZE) {
      throw new S3Error('EntityTooSmall', undefined, {
        ProposedSize: String(part.size),
        MinSizeAllowed: String(MIN_PART_SIZE),
        PartNumber: String(part.partNumber),
        ETag: part.etag.replace(/"/g, ''),
      });
    }
  });
  return resolved;
}

export async function completeMultipartUpload(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.store.bucket(bucket);
  const uploadId = uploadIdParam(ctx);
  const { checksumAlgorithm, checksumType } = ctx.store.upload(bucket, key, uploadId).record;
  const check = writeConditions(ctx);
  // A full-object checksum for the whole upload may come as a header on Complete.
  const wholeHeader = checksumAlgorithm
    ? header(ctx, checksumHeader(checksumAlgorithm))
    : undefined;
  const { body } = await receiveToBuffer(ctx);
  const requested = parseCompleteBody(body.toString('utf8'), checksumAlgorithm);
  const upload = ctx.store.claimUpload(bucket, key, uploadId);
  const tmp = ctx.store.tempFile();
  try {
    const parts = resolveParts(upload, requested);
    check(ctx.store.getObject(bucket, key));
    const whole =
      checksumAlgorithm && checksumType === 'FULL_OBJECT'
        ? new Checksummer(checksumAlgorithm)
        : undefined;
    const out = createWriteStream(tmp);
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, done) {
        whole?.update(chunk);
        done(null, chunk);
      },
    });
    // Parts are streamed one after another into a single file; memory stays flat.
    await pipeline(
      async function* () {
        for (const part of parts)
          yield* createReadStream(ctx.store.partPath(bucket, uploadId, part));
      },
      hasher,
      out,
    );
    const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex')));
    const etag = `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
    let checksum: StoredChecksum | undefined;
    if (checksumAlgorithm && whole) {
      const value = whole.digest().toString('base64');
      if (
        wholeHeader !== undefined &&
        (!isValidDigest(checksumAlgorithm, wholeHeader) || wholeHeader !== value)
      ) {
        throw new S3Error(
          'BadDigest',
          `The ${checksumAlgorithm} you specified did not match the calculated checksum.`,
        );
      }
      checksum = { algorithm: checksumAlgorithm, value, type: 'FULL_OBJECT' };
    } else if (checksumAlgorithm) {
      checksum = {
        algorithm: checksumAlgorithm,
        value: compositeChecksum(
          checksumAlgorithm,
          parts.map((p) => p.checksum ?? ''),
        ),
        type: 'COMPOSITE',
      };
    }
    const size = parts.reduce((n, p) => n + p.size, 0);
    const { contentType, headers, metadata } = upload.record;
    const record = await ctx.store.commitObject(
      bucket,
      tmp,
      {
        key,
        size,
        etag,
        lastModified: Date.now(),
        contentType,
        headers,
        metadata,
        checksum,
        partsCount: parts.length,
      },
      check,
    );
    await ctx.store.removeUpload(bucket, uploadId);
    const host = header(ctx, 'host') ?? '127.0.0.1';
    sendXml(
      ctx,
      200,
      'CompleteMultipartUploadResult',
      {
        Location: `http://${host}/${bucket}/${encodeURI(key)}`,
        Bucket: bucket,
        Key: key,
        ETag: record.etag,
        ...(checksum
          ? { [checksumElement(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }
          : {}),
      },
      checksumHeaders(checksum),
    );
  } catch (err) {
    ctx.store.releaseUpload(upload);
    await removeQuietly(tmp);
    throw err;
  }
}

export async function abortMultipartUpload(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.store.bucket(bucket);
  const uploadId = uploadIdParam(ctx);
  ctx.store.claimUpload(bucket, key, uploadId);
  await ctx.store.removeUpload(bucket, uploadId);
  sendEmpty(ctx, 204);
}

export function listMultipartUploads(ctx: S3Context): void {
  const bucket = requireBucket(ctx);
  ctx.store.bucket(bucket);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const idMarker = ctx.query.get('upload-id-marker') ?? '';
  const maxText = ctx.query.get('max-uploads') ?? '1000';
  if (!/^\d+$/.test(maxText))
    throw new S3Error(
      'InvalidArgument',
      'Provided max-uploads not an integer or within integer range',
      { ArgumentName: 'max-uploads', ArgumentValue: maxText },
    );
  const maxUploads = Math.min(Number(maxText), 1000);
  const byKey = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
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
      // With an upload-id marker, later uploads of the marker key are still listed.
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
        Key: u.key,
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
    KeyMarker: keyMarker,
    UploadIdMarker: idMarker,
    NextKeyMarker: truncated ? last?.key : undefined,
    NextUploadIdMarker: truncated ? last?.uploadId : undefined,
    Delimiter: delimiter === '' ? undefined : delimiter,
    Prefix: prefix,
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    Upload: uploads,
    CommonPrefixes: prefixes.map((p) => ({ Prefix: p })),
  });
}
