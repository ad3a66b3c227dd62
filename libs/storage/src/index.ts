// Storage: the only importer of @aws-sdk/*. Resilient S3 calls, presigned URLs, health.
export * from './cors/cors-rules.js';
export * from './errors/index.js';
export * from './health/storage-health.indicator.js';
export * from './presign/presigner.js';
export * from './presign/public-origin.js';
export * from './presign/sigv4-presigner.js';
export * from './presign/upload-headers.js';
export {
  classifyOutcome,
  isInfrastructureFailure,
  type StorageOutcome,
} from './resilience/failure-classifier.js';
export * from './resilience/storage-policy.js';
export * from './storage.factory.js';
export * from './storage.module.js';
export * from './storage.service.js';
export * from './storage.types.js';
export type { S3Settings } from './s3-client.factory.js';
