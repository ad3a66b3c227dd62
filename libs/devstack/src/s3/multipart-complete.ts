// CompleteMultipartUpload: checks the part list as S3 does, then makes the parts' files the
// object's data (see data-files.ts).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { receiveToBuffer } from './body.js';
import {
  Checksummer,
  checksumElement,
  checksumHeader,
  compositeChecksum,
  isValidDigest,
  type ChecksumAlgorithm,
  type StoredChecksum,
} from './checksums.js';
import { header, requireBucket, requireKey, sendXml, type S3Context } from './context.js';
import { S3Error } from './errors.js';
import { uploadIdParam } from './multipart.js';
import { checksumHeaders, writeConditions } from './objects.js';
import type { PartRecord, UploadState } from './store.js';
import { children, parseXml, text } from './xml.js';

const MIN_PART_SIZE = 5 * 1024 * 1024;

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
  const { body } = await receiveToBuffer(ctx, { objectChecksumHeaders: true });
  const requested = parseCompleteBody(body.toString('utf8'), checksumAlgorithm);
  const upload = ctx.store.claimUpload(bucket, key, uploadId);
  try {
    const parts = resolveParts(upload, requested);
    check(ctx.store.getObject(bucket, key));
    const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex')));
    const etag = `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
    let checksum: StoredChecksum | undefined;
    if (checksumAlgorithm && checksumType === 'FULL_OBJECT') {
      // The only case that reads the data: a whole-object CRC over every part, in order.
      const whole = new Checksummer(checksumAlgorithm);
      for (const part of parts) {
        for await (const chunk of createReadStream(ctx.store.partPath(bucket, uploadId, part), {
          highWaterMark: 1024 * 1024,
        }) as AsyncIterable<Buffer>) {
          whole.update(chunk);
        }
      }
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
    // The parts' files become the object's data as they are: no copy, as quick as on S3.
    const record = await ctx.store.commitMultipart(
      bucket,
      upload,
      parts,
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
        partSizes: parts.map((p) => p.size),
      },
      check,
    );
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
    throw err;
  }
}
