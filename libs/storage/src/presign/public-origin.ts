import type { SigV4PresignerOptions } from './sigv4-presigner.js';

/**
 * The origin (scheme://host[:port]) of every presigned URL the presigner hands out, built the way
 * SigV4Presigner builds its URLs: S3_PUBLIC_ENDPOINT's host, with the bucket in front of it
 * unless path-style addressing is on (virtual-hosted AWS: `https://<bucket>.s3.<region>.amazonaws.com`).
 * Browsers PUT and GET there, so it is what a CSP's connect-src must allow.
 */
export function presignedUrlOrigin(
  options: Pick<SigV4PresignerOptions, 'publicEndpoint' | 'bucket' | 'forcePathStyle'>,
): string {
  const endpoint = new URL(options.publicEndpoint);
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new TypeError(`S3 public endpoint must be http(s): ${options.publicEndpoint}`);
  }
  const host = options.forcePathStyle ? endpoint.host : `${options.bucket}.${endpoint.host}`;
  return `${endpoint.protocol}//${host}`;
}
