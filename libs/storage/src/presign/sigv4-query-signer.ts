import { createHash, createHmac } from 'node:crypto';
import type { StorageCredentials } from '../credentials/storage-credentials.js';

/** What a signature needs of the credentials; a session token is signed in as X-Amz-Security-Token. */
export type SigV4Credentials = Pick<
  StorageCredentials,
  'accessKeyId' | 'secretAccessKey' | 'sessionToken'
>;

export interface QuerySignInput {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE' | 'POST';
  /** Canonical (already URI-encoded) path, starting with `/`. */
  path: string;
  /** Extra query parameters (unencoded; names start with a lowercase letter), signed too. */
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
const SPACES = /\s+/g;
const EXTRA_PARAM_NAME = /^[a-z][A-Za-z0-9-]*$/;
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

/**
 * A lean AWS Signature V4 query-string ("presigned URL") signer for one host and region. The
 * SDK's presigner runs its whole middleware stack per URL (~275 µs here); this computes the same
 * canonical request directly and caches the signing key per day and key pair.
 */
export class SigV4QuerySigner {
  private readonly hostHeader: string;
  // Per-day, per-key values: the signing key (four HMACs), the scope and the encoded credential.
  private cachedDay = '';
  private cachedKeyId = '';
  private cachedSecret = '';
  private cachedKey: Buffer = Buffer.alloc(0);
  private cachedScope = '';
  private cachedCredential = '';
  private cachedSecond = NaN;
  private cachedStamp = '';

  constructor(
    host: string,
    private readonly region: string,
  ) {
    this.hostHeader = host.toLowerCase();
  }

  /** Returns the query string signed with `credentials`, encoded (no leading `?`). */
  sign(input: QuerySignInput, credentials: SigV4Credentials): string {
    const stamp = this.amzDate(input.date);
    const signingKey = this.signingKey(stamp.slice(0, 8), credentials);

    // Canonical headers: lowercase names in code-unit order, values trimmed, spaces folded.
    const names = Object.keys(input.headers);
    if (Object.hasOwn(input.headers, 'host')) throw new TypeError('host is signed implicitly');
    names.push('host');
    names.sort();
    let canonicalHeaders = '';
    for (const name of names) {
      if (name !== name.toLowerCase()) throw new TypeError(`header names must be lowercase`);
      const value = name === 'host' ? this.hostHeader : (input.headers[name] ?? '');
      canonicalHeaders += `${name}:${value.trim().replace(SPACES, ' ')}\n`;
    }
    const signedHeaders = names.join(';');

    // The X-Amz-* block is in sorted order already; extra parameters start with a lowercase
    // letter (as S3's own do), so they sort after it. S3 signs the session token like any other
    // parameter: a token appended after signing breaks the signature.
    const token =
      credentials.sessionToken === undefined
        ? ''
        : `&X-Amz-Security-Token=${uriEncode(credentials.sessionToken)}`;
    let canonicalQuery =
      `X-Amz-Algorithm=${ALGORITHM}&X-Amz-Content-Sha256=${UNSIGNED_PAYLOAD}` +
      `&X-Amz-Credential=${this.cachedCredential}&X-Amz-Date=${stamp}` +
      `&X-Amz-Expires=${input.expiresInSeconds}${token}` +
      `${SIGNED_HEADERS_PARAM}${uriEncode(signedHeaders)}`;
    const extra = Object.keys(input.query);
    if (extra.length > 0) {
      const encoded = extra.map((name) => {
        if (!EXTRA_PARAM_NAME.test(name)) throw new TypeError(`unsupported parameter ${name}`);
        return [uriEncode(name), uriEncode(input.query[name] ?? '')];
      });
      encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [name, value] of encoded) canonicalQuery += `&${name}=${value}`;
    }

    const canonicalRequest = `${input.method}\n${input.path}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
    const stringToSign = `${ALGORITHM}\n${stamp}\n${this.cachedScope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');

    // The SDK formats its URLs with sorted parameters: X-Amz-Signature goes right before
    // X-Amz-SignedHeaders (no other parameter name falls between them; X-Amz-Security-Token
    // sorts before both).
    return canonicalQuery.replace(
      SIGNED_HEADERS_PARAM,
      `&X-Amz-Signature=${signature}${SIGNED_HEADERS_PARAM}`,
    );
  }

  // 2026-01-02T03:04:05.678Z → 20260102T030405Z, cached for the current second.
  private amzDate(date: Date): string {
    const second = Math.floor(date.getTime() / 1000);
    if (second !== this.cachedSecond) {
      const iso = date.toISOString();
      this.cachedStamp =
        iso.slice(0, 4) +
        iso.slice(5, 7) +
        iso.slice(8, 10) +
        'T' +
        iso.slice(11, 13) +
        iso.slice(14, 16) +
        iso.slice(17, 19) +
        'Z';
      this.cachedSecond = second;
    }
    return this.cachedStamp;
  }

  // Rotated credentials get a new key at once: the cache is per day and per key pair.
  private signingKey(day: string, credentials: SigV4Credentials): Buffer {
    if (
      day !== this.cachedDay ||
      credentials.accessKeyId !== this.cachedKeyId ||
      credentials.secretAccessKey !== this.cachedSecret
    ) {
      const kDate = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(day).digest();
      const kRegion = createHmac('sha256', kDate).update(this.region).digest();
      const kService = createHmac('sha256', kRegion).update(SERVICE).digest();
      this.cachedKey = createHmac('sha256', kService).update('aws4_request').digest();
      this.cachedScope = `${day}/${this.region}/${SERVICE}/aws4_request`;
      this.cachedCredential = uriEncode(`${credentials.accessKeyId}/${this.cachedScope}`);
      this.cachedDay = day;
      this.cachedKeyId = credentials.accessKeyId;
      this.cachedSecret = credentials.secretAccessKey;
    }
    return this.cachedKey;
  }
}
