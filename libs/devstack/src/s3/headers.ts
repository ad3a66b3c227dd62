// Object representation headers: what a PUT stores, what GET/HEAD send back, and the request
// headers that imply features the devstack refuses rather than ignores.
import type { OutgoingHttpHeaders } from 'node:http';
import { checksumHeader } from './checksums.js';
import { header, httpDate, type S3Context } from './context.js';
import { S3Error, notImplemented } from './errors.js';
import type { ObjectRecord, StoredHeaders } from './store.js';

const STORED = [
  'content-encoding',
  'content-disposition',
  'cache-control',
  'content-language',
  'expires',
] as const;
const REFUSED_PREFIXES = [
  'x-amz-object-lock-',
  'x-amz-grant-',
  'x-amz-server-side-encryption-',
  'x-amz-copy-source-server-side-encryption-',
];
const REFUSED = [
  'x-amz-tagging',
  'x-amz-tagging-directive',
  'x-amz-website-redirect-location',
  'x-amz-request-payer',
  'x-amz-bucket-object-lock-enabled',
  'x-amz-write-offset-bytes',
];
const MAX_METADATA_BYTES = 2048;

/** Refuses (501) headers whose feature is not implemented, instead of silently ignoring them. */
export function refuseUnsupportedHeaders(ctx: S3Context): void {
  for (const name of ctx.headers.keys()) {
    if (REFUSED.includes(name) || REFUSED_PREFIXES.some((p) => name.startsWith(p))) {
      throw notImplemented(`The ${name} header`);
    }
  }
  const sse = header(ctx, 'x-amz-server-side-encryption');
  if (sse !== undefined && sse !== 'AES256')
    throw notImplemented(`x-amz-server-side-encryption: ${sse}`);
  const acl = header(ctx, 'x-amz-acl');
  if (acl !== undefined && acl !== 'private' && acl !== 'bucket-owner-full-control') {
    throw notImplemented(`The canned ACL ${acl}`);
  }
  const storageClass = header(ctx, 'x-amz-storage-class');
  if (storageClass !== undefined && storageClass !== 'STANDARD') {
    throw notImplemented(`The storage class ${storageClass}`);
  }
}

export interface RepresentationHeaders {
  contentType: string;
  headers: StoredHeaders;
  metadata: Record<string, string>;
}

/** Content-Type, Content-Disposition… and x-amz-meta-* from a PUT, COPY (REPLACE) or upload. */
export function representationFromRequest(ctx: S3Context): RepresentationHeaders {
  const headers: StoredHeaders = {};
  for (const name of STORED) {
    let value = header(ctx, name);
    if (name === 'content-encoding' && value !== undefined) {
      // aws-chunked describes the transfer, not the object.
      value = value
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== 'aws-chunked' && e !== '')
        .join(', ');
      if (value === '') value = undefined;
    }
    if (value !== undefined) headers[name] = value;
  }
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, values] of ctx.headers) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const short = name.slice('x-amz-meta-'.length);
    metadata[short] = values.join(',');
    bytes += Buffer.byteLength(short) + Buffer.byteLength(metadata[short]);
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new S3Error(
      'InvalidArgument',
      'Your metadata headers exceed the maximum allowed metadata size.',
    );
  }
  return { contentType: header(ctx, 'content-type') ?? 'binary/octet-stream', headers, metadata };
}

const OVERRIDES: ReadonlyArray<readonly [string, string]> = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
];

/** Headers describing an object on GET/HEAD, with response-* overrides applied. */
export function objectResponseHeaders(
  ctx: S3Context,
  record: ObjectRecord,
  withChecksum: boolean,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {
    'content-type': record.contentType,
    etag: record.etag,
    'last-modified': httpDate(record.lastModified),
    'accept-ranges': 'bytes',
    ...record.headers,
  };
  for (const [name, value] of Object.entries(record.metadata)) out[`x-amz-meta-${name}`] = value;
  if (
    withChecksum &&
    record.checksum &&
    header(ctx, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED'
  ) {
    out[checksumHeader(record.checksum.algorithm)] = record.checksum.value;
    out['x-amz-checksum-type'] = record.checksum.type;
  }
  // Overrides are only honoured on authenticated requests; anonymous ones never get this far.
  for (const [param, name] of OVERRIDES) {
    const value = ctx.query.get(param);
    if (value !== undefined) out[name] = asHeaderValue(value);
  }
  return out;
}

/** Query values are decoded as UTF-8; headers carry bytes, so send the UTF-8 bytes as latin1. */
function asHeaderValue(value: string): string {
  return Buffer.from(value.replace(/[\r\n\0]/g, ' '), 'utf8').toString('latin1');
}
