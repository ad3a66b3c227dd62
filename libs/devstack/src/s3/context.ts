// Per-request context handed to every operation, and the response helpers they share.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AuthResult } from './sigv4.js';
import type { Store } from './store.js';
import { renderXml, type XmlObject } from './xml.js';

export interface S3Context {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  method: string;
  /** Decoded bucket name from the path, if any. */
  bucket: string | undefined;
  /** Decoded object key from the path, if any (may be empty only when absent). */
  key: string | undefined;
  /** Decoded query parameters (last occurrence wins). */
  query: ReadonlyMap<string, string>;
  /** Request headers by lower-case name. */
  headers: ReadonlyMap<string, string[]>;
  auth: AuthResult;
  store: Store;
  region: string;
}

export function header(ctx: Pick<S3Context, 'headers'>, name: string): string | undefined {
  return ctx.headers.get(name)?.[0];
}

export function requireBucket(ctx: S3Context): string {
  if (ctx.bucket === undefined) throw new Error('route without bucket');
  return ctx.bucket;
}

export function requireKey(ctx: S3Context): string {
  if (ctx.key === undefined) throw new Error('route without key');
  return ctx.key;
}

export function sendXml(
  ctx: S3Context,
  status: number,
  root: string,
  body: XmlObject,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = renderXml(root, body);
  ctx.res.writeHead(status, {
    ...headers,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(text),
  });
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
}

export function sendEmpty(ctx: S3Context, status: number, headers: OutgoingHttpHeaders = {}): void {
  ctx.res.writeHead(status, { ...headers, 'content-length': 0 });
  ctx.res.end();
}

/** ISO 8601 with milliseconds, as S3 writes dates inside XML. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

/** RFC 7231 IMF-fixdate, as S3 writes Last-Modified. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
