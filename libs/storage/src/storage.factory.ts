import { credentialsFor } from './credentials/credentials-for.js';
import type { SigningCredentials } from './credentials/storage-credentials.js';
import { createStorageMetrics } from './metrics/storage-metrics.js';
import type { Presigner } from './presign/presigner.js';
import { SigV4Presigner } from './presign/sigv4-presigner.js';
import { StoragePolicy, type StoragePolicyOptions } from './resilience/storage-policy.js';
import { createS3Client, type S3Settings } from './s3-client.factory.js';
import { StorageService } from './storage.service.js';

export interface Storage {
  policy: StoragePolicy;
  service: StorageService;
  presigner: Presigner;
  /** Closes the client's keep-alive sockets and stops refreshing credentials. */
  close(): void;
}

export interface StorageDependencies {
  /**
   * Credentials for the client and the presigner alike; default: credentialsFor(s3) (the
   * static keys, or the SDK's default chain). The storage closes them.
   */
  credentials?: SigningCredentials;
}

// No caller (an API request, a job step) should wait longer than this on one storage call.
const MAX_CALL_TIMEOUT_MS = 15_000;

/**
 * Default resilience settings derived from the S3 settings: the overall deadline covers every
 * SDK attempt plus its backoff (capped at 15 s); S3_BREAKER_FAILURES consecutive infrastructure
 * failures (5) open the circuit for S3_BREAKER_HALF_OPEN_MS (5 s) before a trial call.
 */
export function defaultPolicyOptions(s3: S3Settings): StoragePolicyOptions {
  return {
    callTimeoutMs: Math.min(
      MAX_CALL_TIMEOUT_MS,
      s3.connectTimeoutMs + s3.requestTimeoutMs * s3.maxAttempts + 1000,
    ),
    consecutiveFailures: s3.breakerFailures,
    halfOpenAfterMs: s3.breakerHalfOpenMs,
  };
}

/** Builds the storage layer without Nest (used by StorageModule, tests and scripts). */
export function createStorage(
  s3: S3Settings,
  policyOverrides: Partial<StoragePolicyOptions> = {},
  dependencies: StorageDependencies = {},
): Storage {
  // One set of credentials: a server-side call and a URL issued at the same moment sign alike.
  const credentials = dependencies.credentials ?? credentialsFor(s3);
  const client = createS3Client(s3, credentials.provide);
  const policy = new StoragePolicy(
    { ...defaultPolicyOptions(s3), ...policyOverrides },
    createStorageMetrics(),
  );
  return {
    policy,
    service: new StorageService(client, policy, s3.bucket),
    presigner: new SigV4Presigner({
      publicEndpoint: s3.publicEndpoint,
      region: s3.region,
      bucket: s3.bucket,
      forcePathStyle: s3.forcePathStyle,
      credentials,
    }),
    close: () => {
      credentials.close();
      client.destroy();
    },
  };
}
