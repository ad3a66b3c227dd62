// AWS Signature Version 4 verification for S3: the Authorization header and presigned query
// strings. Pure functions over the request's raw parts, so they are testable against AWS's vectors.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const STREAMING_PAYLOADS = new Set([
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
]);

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials only: the token every request must carry (X-Amz-Security-Token). */
  sessionToken?: string;
  /** Temporary credentials only: when the token expires (epoch ms). */
  expiresAt?: number;
}

/** The parts of an HTTP request that SigV4 covers. */
export interface SignableRequest {
  method: string;
  /** The path exactly as received, without the query string. */
  rawPath: string;
  /** Decoded query parameters in order of appearance. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Node's `rawHeaders`: alternating names and values. */
  rawHeaders: readonly string[];
}

/** What a verified request proved about itself. */
export interface AuthResult {
  accessKeyId: string;
  presigned: boolean;
  /** Lower-case names of the headers covered by the signature. */
  signedHeaders: ReadonlySet<string>;
  /** The payload hash the signature covers: hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* mode. */
  payloadHash: string;
  amzDate: string;
  scope: string;
  signature: string;
  signingKey: Buffer;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, optionally `/`. */
export function uriEncode(value: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Decodes percent-escapes leniently (a stray `%` stays literal); `+` is a literal plus. */
export function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
  }
}

export function parseQuery(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0
        ? [decodeComponent(part), '']
        : [decodeComponent(part.slice(0, eq)), decodeComponent(part.slice(eq + 1))];
    });
}

export function canonicalUri(rawPath: string): string {
  return uriEncode(decodeComponent(rawPath), true) || '/';
}

export function canonicalQueryString(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Header values by lower-case name, several occurrences kept in order. */
export function headerMap(rawHeaders: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const list = map.get(name) ?? [];
    list.push(rawHeaders[i + 1]);
    map.set(name, list);
  }
  return map;
}

export function canonicalHeaders(
  headers: Map<string, string[]>,
  signed: readonly string[],
): string {
  return signed
    .map((name) => {
      const values = (headers.get(name) ?? []).map((v) => v.trim().replace(/\s+/g, ' '));
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
}

export function canonicalRequest(
  req: SignableRequest,
  query: ReadonlyArray<readonly [string, string]>,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  return [
    req.method,
    canonicalUri(req.rawPath),
    canonicalQueryString(query),
    canonicalHeaders(headerMap(req.rawHeaders), signedHeaders),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

const keyCache = new Map<string, Buffer>();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\0${date}\0${region}\0${service}`;
  let key = keyCache.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    if (keyCache.size > 64) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** The string signed for each aws-chunked chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD). */
export function chunkStringToSign(
  amzDate: string,
  scope: string,
  previous: string,
  chunkHash: string,
): string {
  return ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, EMPTY_SHA256, chunkHash].join('\n');
}

/** The string signed for the trailer of STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER. */
export function trailerStringToSign(
  amzDate: string,
  scope: string,
  previous: string,
  trailerHash: string,
): string {
  return ['AWS4-HMAC-SHA256-TRAILER', amzDate, scope, previous, trailerHash].join('\n');
}

export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parses `YYYYMMDDTHHMMSSZ` into epoch milliseconds, or NaN. */
export function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
