import { createHash, createHmac } from 'node:crypto';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface QuerySignInput {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE' | 'POST';
  /** Canonical (already URI-encoded) path, starting with `/`. */
  path: string;
  /** Extra query parameters (unencoded), signed along with the X-Amz-* ones. */
  query: Readonly<Record<string, string>>;
  /** Extra headers the client must send (lowercase names, unencoded values); `host` is implicit. */
  headers: Readonly<Record<string, string>>;
  expiresInSeconds: number;
  date: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const SERVICE = 's3';
const RESERVED_BY_SIGV4 = /[!'()*]/;
const SIGNED_HEADERS_PARAM = '&X-Amz-SignedHeaders=';
const RESERVED_BY_SIGV4_ALL = /[!'()*]/g;

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-._~` is percent-encoded. */
export function uriEncode(value: string): string {
  const encoded = encodeURIComponent(value);
  // encodeURIComponent leaves these five alone; the regex only runs when one is present.
  return RESERVED_BY_SIGV4.test(encoded)
    ? encoded.replace(
        RESERVED_BY_SIGV4_ALL,
        (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
      )
    : encoded;
}

/** An S3 object key as a canonical path: each segment encoded once, slashes kept. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(uriEncode).join('/');
}

function amzDate(date: Date): string {
  // 2026-01-02T03:04:05.000Z → 20260102T030405Z
  const iso = date.toISOString();
  return (
    iso.slice(0, 4) +
    iso.slice(5, 7) +
    iso.slice(8, 10) +
    'T' +
    iso.slice(11, 13) +
    iso.slice(14, 16) +
    iso.slice(17, 19) +
    'Z'
  );
}

function byKey(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * A lean AWS Signature V4 query-string ("presigned URL") signer for one host, region and set
 * of credentials. The SDK's presigner runs its whole middleware stack per URL (~275 µs here);
 * this computes the same canonical request directly and caches the signing key per day.
 */
export class SigV4QuerySigner {
  private readonly hostHeader: string;
  // Per-day values: the signing key (four HMACs), the scope and the encoded credential.
  private cachedDay = '';
  private cachedKey: Buffer = Buffer.alloc(0);
  private cachedScope = '';
  private cachedCredential = '';

  constructor(
    host: string,
    private readonly region: string,
    private readonly credentials: SigV4Credentials,
  ) {
    this.hostHeader = host.toLowerCase();
  }

  /** Returns the signed, encoded query string (no leading `?`). */
  sign(input: QuerySignInput): string {
    const stamp = amzDate(input.date);
    const day = stamp.slice(0, 8);
    const signingKey = this.signingKey(day);
    const scope = this.cachedScope;

    const headers: [string, string][] = [['host', this.hostHeader]];
    for (const [name, value] of Object.entries(input.headers)) {
      headers.push([name.toLowerCase(), value.trim().replace(/\s+/g, ' ')]);
    }
    headers.sort(byKey);
    const signedHeaders = headers.map((h) => h[0]).join(';');

    const params: [string, string][] = [
      ['X-Amz-Algorithm', ALGORITHM],
      ['X-Amz-Content-Sha256', UNSIGNED_PAYLOAD],
      ['X-Amz-Credential', this.cachedCredential],
      ['X-Amz-Date', stamp],
      ['X-Amz-Expires', String(input.expiresInSeconds)],
      ['X-Amz-SignedHeaders', uriEncode(signedHeaders)],
    ];
    for (const [name, value] of Object.entries(input.query)) {
      if (name.startsWith('X-Amz-')) throw new TypeError(`reserved query parameter ${name}`);
      params.push([uriEncode(name), uriEncode(value)]);
    }
    params.sort(byKey);
    const canonicalQuery = params.map((p) => `${p[0]}=${p[1]}`).join('&');

    let canonicalHeaders = '';
    for (const [name, value] of headers) canonicalHeaders += `${name}:${value}\n`;
    const canonicalRequest = `${input.method}\n${input.path}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
    const stringToSign = `${ALGORITHM}\n${stamp}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');

    // Keep the parameters sorted, as the SDK formats its URLs: X-Amz-Signature sorts right
    // before X-Amz-SignedHeaders (no other parameter name falls between them).
    return canonicalQuery.replace(
      SIGNED_HEADERS_PARAM,
      `&X-Amz-Signature=${signature}${SIGNED_HEADERS_PARAM}`,
    );
  }

  private signingKey(day: string): Buffer {
    if (day !== this.cachedDay) {
      const kDate = createHmac('sha256', `AWS4${this.credentials.secretAccessKey}`)
        .update(day)
        .digest();
      const kRegion = createHmac('sha256', kDate).update(this.region).digest();
      const kService = createHmac('sha256', kRegion).update(SERVICE).digest();
      this.cachedKey = createHmac('sha256', kService).update('aws4_request').digest();
      this.cachedScope = `${day}/${this.region}/${SERVICE}/aws4_request`;
      this.cachedCredential = uriEncode(`${this.credentials.accessKeyId}/${this.cachedScope}`);
      this.cachedDay = day;
    }
    return this.cachedKey;
  }
}
