// Presigned URLs built the way the product signs them, and the headers a browser must then send.
import { GetObjectCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { sha256Base64, type Target } from './support.js';

export interface PresignedRequest {
  url: string;
  /** Headers the signature binds, which the uploader must send verbatim. */
  headers: Record<string, string>;
}

export interface PutOptions {
  contentType?: string;
  /** Defaults to the SHA-256 of `body`; pass another value to sign a different checksum. */
  checksum?: string;
  ifNoneMatch?: boolean;
  expiresIn?: number;
  signingDate?: Date;
}

/**
 * A presigned PUT binding Content-Length, Content-Type and x-amz-checksum-sha256. The SDK signs
 * content-length by default; content-type must be named signable (the presigner otherwise drops
 * it) and the checksum unhoistable so that it stays a header the server has to verify.
 */
export async function presignPut(
  target: Target,
  key: string,
  body: Uint8Array,
  options: PutOptions = {},
): Promise<PresignedRequest> {
  const contentType = options.contentType ?? 'application/octet-stream';
  const checksum = options.checksum ?? sha256Base64(body);
  const url = await getSignedUrl(
    target.client,
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: key,
      ContentLength: body.byteLength,
      ContentType: contentType,
      ChecksumSHA256: checksum,
      ...(options.ifNoneMatch === true ? { IfNoneMatch: '*' } : {}),
    }),
    {
      expiresIn: options.expiresIn ?? 300,
      ...(options.signingDate ? { signingDate: options.signingDate } : {}),
      signableHeaders: new Set(['content-type', 'content-length']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    },
  );
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-amz-checksum-sha256': checksum,
  };
  if (options.ifNoneMatch === true) headers['if-none-match'] = '*';
  return { url, headers };
}

/** A presigned UploadPart binding the part's length and SHA-256. */
export async function presignPart(
  target: Target,
  key: string,
  uploadId: string,
  partNumber: number,
  body: Uint8Array,
): Promise<PresignedRequest> {
  const checksum = sha256Base64(body);
  const url = await getSignedUrl(
    target.client,
    new UploadPartCommand({
      Bucket: target.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentLength: body.byteLength,
      ChecksumSHA256: checksum,
    }),
    {
      expiresIn: 300,
      signableHeaders: new Set(['content-length']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    },
  );
  return { url, headers: { 'x-amz-checksum-sha256': checksum } };
}

export interface GetOptions {
  disposition?: string;
  contentType?: string;
  expiresIn?: number;
}

/** A presigned GET, optionally overriding Content-Disposition and Content-Type. */
export async function presignGet(
  target: Target,
  key: string,
  options: GetOptions = {},
): Promise<string> {
  return getSignedUrl(
    target.client,
    new GetObjectCommand({
      Bucket: target.bucket,
      Key: key,
      ...(options.disposition === undefined
        ? {}
        : { ResponseContentDisposition: options.disposition }),
      ...(options.contentType === undefined ? {} : { ResponseContentType: options.contentType }),
    }),
    { expiresIn: options.expiresIn ?? 300 },
  );
}

/** PUTs `body` to a presigned request with plain fetch, as a browser would. */
export function upload(
  req: PresignedRequest,
  body: Uint8Array,
  extra: Record<string, string> = {},
): Promise<Response> {
  return fetch(req.url, { method: 'PUT', headers: { ...req.headers, ...extra }, body });
}
