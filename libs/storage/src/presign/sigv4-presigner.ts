import type {
  PresignGetInput,
  PresignPutInput,
  PresignUploadPartInput,
  PresignedRequest,
  Presigner,
} from './presigner.js';
import { StorageUnavailableError } from '../errors/storage-errors.js';
import { staticCredentials, type SigningCredentials } from '../credentials/storage-credentials.js';
import { SigV4QuerySigner, encodeKeyPath, type SigV4Credentials } from './sigv4-query-signer.js';
import { UPLOAD_HEADERS } from './upload-headers.js';
import { presignedUrlOrigin } from './public-origin.js';

export interface SigV4PresignerOptions {
  /** Base URL clients reach storage at, e.g. `https://s3.example.com` or `http://127.0.0.1:9000`. */
  publicEndpoint: string;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  /** Fixed keys, or the credentials the S3 client uses too (refreshed, possibly temporary). */
  credentials: SigV4Credentials | SigningCredentials;
  /** Injectable clock, for tests. */
  now?: () => Date;
}

// SigV4 caps presigned URLs at 7 days.
const MAX_EXPIRES_SECONDS = 604_800;
const MAX_PART_NUMBER = 10_000;
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Presigner built on a lean SigV4 query signer: produces the same URLs as the SDK's
 * `getSignedUrl` (byte for byte, see the spec) at a fraction of the cost. With temporary
 * credentials a URL carries their session token and never outlives them: its lifetime is cut to
 * what the credentials have left (`expiresAt` says so), and with too little left (a refresh that
 * keeps failing) presigning throws StorageUnavailableError (503 with Retry-After).
 */
export class SigV4Presigner implements Presigner {
  private readonly signer: SigV4QuerySigner;
  private readonly credentials: SigningCredentials;
  private readonly origin: string;
  private readonly pathPrefix: string;
  private readonly now: () => Date;

  constructor(options: SigV4PresignerOptions) {
    // One source for the origin: the web client's CSP allows exactly this one (connect-src).
    this.origin = presignedUrlOrigin(options);
    const host = new URL(this.origin).host;
    const basePath = new URL(options.publicEndpoint).pathname.replace(/\/+$/, '');
    this.pathPrefix = options.forcePathStyle ? `${basePath}/${options.bucket}/` : `${basePath}/`;
    this.signer = new SigV4QuerySigner(host, options.region);
    this.credentials = isSigningCredentials(options.credentials)
      ? options.credentials
      : staticCredentials(options.credentials);
    this.now = options.now ?? (() => new Date());
  }

  presignPut(input: PresignPutInput): PresignedRequest {
    checkLength(input.contentLength);
    checkSha256(input.sha256Base64);
    if (input.contentType.trim() === '') throw new TypeError('contentType must not be empty');
    const headers: Record<string, string> = {
      [UPLOAD_HEADERS.contentLength]: String(input.contentLength),
      [UPLOAD_HEADERS.contentType]: input.contentType,
      [UPLOAD_HEADERS.checksumSha256]: input.sha256Base64,
    };
    if (input.ifNoneMatch === true) headers[UPLOAD_HEADERS.ifNoneMatch] = '*';
    return this.sign('PUT', input.key, { 'x-id': 'PutObject' }, headers, input.expiresInSeconds);
  }

  presignGet(input: PresignGetInput): PresignedRequest {
    const query: Record<string, string> = { 'x-id': 'GetObject' };
    if (input.responseContentDisposition !== undefined) {
      query['response-content-disposition'] = input.responseContentDisposition;
    }
    if (input.responseContentType !== undefined) {
      query['response-content-type'] = input.responseContentType;
    }
    return this.sign('GET', input.key, query, {}, input.expiresInSeconds);
  }

  presignUploadPart(input: PresignUploadPartInput): PresignedRequest {
    checkLength(input.contentLength);
    if (
      !Number.isInteger(input.partNumber) ||
      input.partNumber < 1 ||
      input.partNumber > MAX_PART_NUMBER
    ) {
      throw new RangeError(`partNumber must be an integer in 1..${MAX_PART_NUMBER}`);
    }
    if (input.uploadId === '') throw new TypeError('uploadId must not be empty');
    const headers: Record<string, string> = {
      [UPLOAD_HEADERS.contentLength]: String(input.contentLength),
    };
    if (input.sha256Base64 !== undefined) {
      checkSha256(input.sha256Base64);
      headers[UPLOAD_HEADERS.checksumSha256] = input.sha256Base64;
    }
    const query = {
      partNumber: String(input.partNumber),
      uploadId: input.uploadId,
      'x-id': 'UploadPart',
    };
    return this.sign('PUT', input.key, query, headers, input.expiresInSeconds);
  }

  private sign(
    method: 'GET' | 'PUT',
    key: string,
    // `x-id` names the operation as the SDK does; S3 ignores it, and it keeps URLs identical.
    query: Record<string, string>,
    headers: Record<string, string>,
    expiresInSeconds: number,
  ): PresignedRequest {
    if (key === '') throw new TypeError('key must not be empty');
    if (
      !Number.isInteger(expiresInSeconds) ||
      expiresInSeconds < 1 ||
      expiresInSeconds > MAX_EXPIRES_SECONDS
    ) {
      throw new RangeError(`expiresInSeconds must be an integer in 1..${MAX_EXPIRES_SECONDS}`);
    }
    const credentials = this.credentials.current();
    if (credentials === undefined) {
      throw new StorageUnavailableError(
        'Storage credentials are being refreshed',
        this.credentials.retryAfterSeconds(),
      );
    }
    const date = this.now();
    // SigV4 counts from X-Amz-Date, which has whole-second precision.
    const signedAt = Math.floor(date.getTime() / 1000) * 1000;
    const lifetime = Math.min(expiresInSeconds, secondsLeft(credentials.expiration, signedAt));
    if (lifetime < 1) {
      throw new StorageUnavailableError(
        'Storage credentials have expired',
        this.credentials.retryAfterSeconds(),
      );
    }
    const path = this.pathPrefix + encodeKeyPath(key);
    const signedQuery = this.signer.sign(
      { method, path, query, headers, expiresInSeconds: lifetime, date },
      credentials,
    );
    return {
      method,
      url: `${this.origin}${path}?${signedQuery}`,
      headers,
      expiresAt: new Date(signedAt + lifetime * 1000),
    };
  }
}

function isSigningCredentials(
  credentials: SigV4Credentials | SigningCredentials,
): credentials is SigningCredentials {
  return typeof (credentials as Partial<SigningCredentials>).current === 'function';
}

// Whole seconds from `from` until the credentials expire (a URL must not outlive them).
function secondsLeft(expiration: Date | undefined, from: number): number {
  return expiration === undefined
    ? Number.POSITIVE_INFINITY
    : Math.floor((expiration.getTime() - from) / 1000);
}

function checkLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError('contentLength must be a non-negative integer');
  }
}

function checkSha256(value: string): void {
  if (!SHA256_BASE64.test(value)) {
    throw new TypeError('sha256Base64 must be the base64 of a 32-byte SHA-256 digest');
  }
}
