import { S3Client } from '@aws-sdk/client-s3';
import type { AppConfig } from '@app/config';
import type { CredentialSource } from './credentials/storage-credentials.js';

export type S3Settings = AppConfig['s3'];

/**
 * The process's S3 client. Retries are the SDK's own (standard mode: exponential backoff with
 * full jitter, a retry quota, `maxAttempts` in total); nothing above it retries again.
 * Connect and request timeouts make a silent server fail the attempt instead of hanging.
 * `credentials` is the provider the presigner shares (see credentialsFor).
 */
export function createS3Client(s3: S3Settings, credentials: CredentialSource): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials,
    maxAttempts: s3.maxAttempts,
    retryMode: 'standard',
    // Checksums are computed by clients and bound into presigned URLs; the server-side calls
    // do not need the SDK to add (or validate) its own on every request.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // NodeHttpHandler options: the SDK builds the handler from them.
    requestHandler: {
      connectionTimeout: s3.connectTimeoutMs,
      requestTimeout: s3.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout elapses.
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: 64 },
      httpsAgent: { keepAlive: true, maxSockets: 64 },
    },
  });
}
