// AWS Signature Version 4 verification for S3: the Authorization header and presigned query
// strings. Pure functions over the request's raw parts, so they are testable against AWS's vectors.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from './errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const STREAMING_PAYLOADS = new Set([
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
]);
const MAX_EXPIRES = 604800;
const MAX_SKEW_MS = 15 * 60 * 1000;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
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

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

function parseCredential(value: string): Scope | undefined {
  const parts = value.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts;
  return { accessKeyId, date, region, service, terminator };
}

interface VerifyOptions {
  credentials: readonly Credentials[];
  region: string;
  now?: number;
}

/** Verifies a request's SigV4 signature; throws the S3Error S3 would answer with. */
export function verifyRequest(req: SignableRequest, options: VerifyOptions): AuthResult {
  const headers = headerMap(req.rawHeaders);
  const authorization = headers.get('authorization')?.[0];
  const presigned = req.query.some(
    ([k]) => k === 'X-Amz-Signature' || k === 'X-Amz-Algorithm' || k === 'X-Amz-Credential',
  );
  if (authorization !== undefined && presigned) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  if (authorization !== undefined) return verifyHeader(req, headers, authorization, options);
  if (presigned) return verifyPresigned(req, headers, options);
  if (req.query.some(([k]) => k === 'Signature' || k === 'AWSAccessKeyId')) {
    throw new S3Error(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  throw new S3Error('AccessDenied', 'Access Denied');
}

function checkScope(
  scope: Scope,
  amzDate: string,
  options: VerifyOptions,
  code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError',
): Credentials {
  if (
    scope.terminator !== 'aws4_request' ||
    scope.service !== 's3' ||
    !/^\d{8}$/.test(scope.date)
  ) {
    throw new S3Error(
      code,
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  if (scope.region !== options.region) {
    throw new S3Error(
      code,
      `The authorization header is malformed; the region '${scope.region}' is wrong; expecting '${options.region}'`,
      { Region: options.region },
    );
  }
  if (!amzDate.startsWith(scope.date)) {
    throw new S3Error(
      code,
      `Invalid credential date "${scope.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    );
  }
  const creds = options.credentials.find((c) => c.accessKeyId === scope.accessKeyId);
  if (!creds)
    throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: scope.accessKeyId });
  return creds;
}

function checkSignedHeaders(signed: readonly string[], headers: Map<string, string[]>): void {
  if (!signed.includes('host')) {
    throw new S3Error('AccessDenied', 'The host header must be signed.');
  }
  const unsigned = [...headers.keys()].filter((h) => h.startsWith('x-amz-') && !signed.includes(h));
  if (unsigned.length > 0) {
    throw new S3Error(
      'AccessDenied',
      'There were headers present in the request which were not signed',
      { HeadersNotSigned: unsigned.join(', ') },
    );
  }
}

function finish(
  req: SignableRequest,
  query: ReadonlyArray<readonly [string, string]>,
  signed: readonly string[],
  payloadHash: string,
  amzDate: string,
  scope: Scope,
  creds: Credentials,
  signature: string,
  presigned: boolean,
): AuthResult {
  const canonical = canonicalRequest(req, query, signed, payloadHash);
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const key = signingKey(creds.secretAccessKey, scope.date, scope.region, scope.service);
  const expected = hmac(key, stringToSign(amzDate, scopeText, canonical)).toString('hex');
  if (!signaturesEqual(expected, signature.toLowerCase())) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: creds.accessKeyId,
      StringToSign: stringToSign(amzDate, scopeText, canonical),
      CanonicalRequest: canonical,
    });
  }
  return {
    accessKeyId: creds.accessKeyId,
    presigned,
    signedHeaders: new Set(signed),
    payloadHash,
    amzDate,
    scope: scopeText,
    signature: expected,
    signingKey: key,
  };
}

function verifyHeader(
  req: SignableRequest,
  headers: Map<string, string[]>,
  authorization: string,
  options: VerifyOptions,
): AuthResult {
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    if (authorization.startsWith('AWS ')) {
      throw new S3Error(
        'InvalidRequest',
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      );
    }
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.`,
    );
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedText = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const scope = credential === undefined ? undefined : parseCredential(credential);
  if (!scope || !signedText || !signature || !/^[0-9a-fA-F]{64}$/.test(signature)) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    );
  }
  const amzDate = headers.get('x-amz-date')?.[0];
  if (amzDate === undefined || Number.isNaN(parseAmzDate(amzDate))) {
    throw new S3Error(
      'AccessDenied',
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  }
  const creds = checkScope(scope, amzDate, options, 'AuthorizationHeaderMalformed');
  const now = options.now ?? Date.now();
  const skew = Math.abs(parseAmzDate(amzDate) - now);
  if (skew > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: amzDate,
      ServerTime: new Date(now).toISOString(),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
  const payloadHash = headers.get('x-amz-content-sha256')?.[0];
  if (payloadHash === undefined) {
    throw new S3Error(
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  if (
    payloadHash !== UNSIGNED_PAYLOAD &&
    !STREAMING_PAYLOADS.has(payloadHash) &&
    !/^[0-9a-f]{64}$/.test(payloadHash)
  ) {
    throw new S3Error(
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash },
    );
  }
  const signed = signedText.split(';').map((h) => h.toLowerCase());
  checkSignedHeaders(signed, headers);
  return finish(req, req.query, signed, payloadHash, amzDate, scope, creds, signature, false);
}

function verifyPresigned(
  req: SignableRequest,
  headers: Map<string, string[]>,
  options: VerifyOptions,
): AuthResult {
  const q = new Map(req.query);
  const algorithm = q.get('X-Amz-Algorithm');
  const credential = q.get('X-Amz-Credential');
  const amzDate = q.get('X-Amz-Date');
  const expires = q.get('X-Amz-Expires');
  const signedText = q.get('X-Amz-SignedHeaders');
  const signature = q.get('X-Amz-Signature');
  if (
    algorithm === undefined ||
    credential === undefined ||
    amzDate === undefined ||
    expires === undefined ||
    signedText === undefined ||
    signature === undefined
  ) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  }
  const scope = parseCredential(credential);
  if (!scope) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    );
  }
  if (!/^\d+$/.test(expires)) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Expires should be a number');
  }
  if (Number(expires) > MAX_EXPIRES) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    );
  }
  const creds = checkScope(scope, amzDate, options, 'AuthorizationQueryParametersError');
  const now = options.now ?? Date.now();
  if (signedAt - now > MAX_SKEW_MS) throw new S3Error('AccessDenied', 'Request is not valid yet');
  if (now > signedAt + Number(expires) * 1000) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      Expires: new Date(signedAt + Number(expires) * 1000).toISOString(),
      ServerTime: new Date(now).toISOString(),
      'X-Amz-Expires': expires,
    });
  }
  const signed = signedText.split(';').map((h) => h.toLowerCase());
  checkSignedHeaders(signed, headers);
  // A hoisted X-Amz-Content-Sha256 is covered by the signature like every other parameter.
  const payloadHash = q.get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
  if (payloadHash !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(payloadHash)) {
    throw new S3Error(
      'InvalidArgument',
      'X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.',
    );
  }
  const query = req.query.filter(([k]) => k !== 'X-Amz-Signature');
  return finish(req, query, signed, payloadHash, amzDate, scope, creds, signature, true);
}
