// Multipart uploads: Create, UploadPart, ListParts, Abort (Complete in multipart-complete.ts,
// ListMultipartUploads in multipart-list.ts).
import { receiveToFile } from './body.js';
import {
  checksumElement,
  checksumHeader,
  parseAlgorithm,
  type ChecksumAlgorithm,
  type ChecksumType,
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
import { newUploadId } from './multipart-list.js';
import type { PartRecord } from './store.js';
import type { XmlObject } from './xml.js';

const MAX_PART_SIZE = 5 * 1024 ** 3;
const OWNER = { ID: 'devstack', DisplayName: 'devstack' };

export function uploadIdParam(ctx: S3Context): string {
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
  // S3 defaults to COMPOSITE, except CRC64NVME which only exists as a full-object checksum.
  const checksumType: ChecksumType | undefined = algorithm
    ? (typeText ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE'))
    : undefined;
  if (checksumType === 'COMPOSITE' && algorithm === 'CRC64NVME') {
    throw new S3Error(
      'InvalidRequest',
      'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.',
    );
  }
  if (checksumType === 'FULL_OBJECT' && algorithm?.startsWith('SHA')) {
    throw new S3Error(
      'InvalidRequest',
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  const uploadId = newUploadId();
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

export async function abortMultipartUpload(ctx: S3Context): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  ctx.store.bucket(bucket);
  const uploadId = uploadIdParam(ctx);
  ctx.store.claimUpload(bucket, key, uploadId);
  await ctx.store.removeUpload(bucket, uploadId);
  sendEmpty(ctx, 204);
}
