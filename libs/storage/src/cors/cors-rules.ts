import { PREFLIGHT_UPLOAD_HEADERS } from '../presign/upload-headers.js';

/** One S3 CORS rule, in S3's own field names (what PutBucketCors takes). */
export interface StorageCorsRule {
  AllowedOrigins: string[];
  AllowedMethods: ('GET' | 'PUT' | 'HEAD')[];
  AllowedHeaders: string[];
  ExposeHeaders: string[];
  MaxAgeSeconds: number;
}

/** Response headers a page may read: the ETag of an upload and storage's SHA-256. */
export const STORAGE_CORS_EXPOSE_HEADERS: readonly string[] = ['etag', 'x-amz-checksum-sha256'];

/** How long a browser may cache a preflight answer (s). */
export const STORAGE_CORS_MAX_AGE_SECONDS = 600;

/**
 * The bucket CORS rules Sharexpress needs, the only source of them: browsers from `origins`
 * (exact origins, `https://app.example.com`) PUT uploads and parts and GET downloads through
 * presigned URLs, sending exactly the headers the presigner binds, and read the ETag. The
 * devstack applies them at `npm start`; the README prints them for AWS.
 */
export function storageCorsRules(origins: readonly string[]): StorageCorsRule[] {
  const unique = [...new Set(origins)];
  if (unique.length === 0) throw new TypeError('storageCorsRules needs at least one origin');
  for (const origin of unique) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    // Exact origins only: S3 would take a `*` wildcard, which lets in origins nobody vetted.
    if (parsed !== origin || origin === 'null' || origin.includes('*')) {
      throw new TypeError(`Not an origin (scheme://host[:port]): ${origin}`);
    }
  }
  return [
    {
      AllowedOrigins: unique,
      AllowedMethods: ['GET', 'PUT', 'HEAD'],
      AllowedHeaders: [...PREFLIGHT_UPLOAD_HEADERS],
      ExposeHeaders: [...STORAGE_CORS_EXPOSE_HEADERS],
      MaxAgeSeconds: STORAGE_CORS_MAX_AGE_SECONDS,
    },
  ];
}
