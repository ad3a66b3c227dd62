// Shared setup for the storage specs that talk to a real S3 API (devstack or S3_ENDPOINT).
import { createHash } from 'node:crypto';
import type { TestBackends } from '../../../test/support/backends.js';
import type { S3Settings } from '../src/s3-client.factory.js';

export function s3SettingsFor(
  backends: TestBackends,
  overrides: Partial<S3Settings> = {},
): S3Settings {
  const { s3 } = backends;
  return {
    endpoint: s3.endpoint,
    publicEndpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
    connectTimeoutMs: 1000,
    requestTimeoutMs: 3000,
    maxAttempts: 2,
    breakerFailures: 5,
    breakerHalfOpenMs: 5000,
    ...overrides,
  };
}

export const sha256Base64 = (body: Uint8Array): string =>
  createHash('sha256').update(body).digest('base64');

/** Browser-like PUT of `body` with exactly the signed headers (fetch sets content-length). */
export function putWith(
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<Response> {
  const sent = { ...headers };
  // fetch computes content-length from the body itself; a mismatch is what we test elsewhere.
  delete sent['content-length'];
  return fetch(url, { method: 'PUT', headers: sent, body });
}
