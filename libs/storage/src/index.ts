// Storage: the only importer of @aws-sdk/*. Resilient S3 calls, presigned URLs, health.
export * from './errors/index.js';
export * from './presign/presigner.js';
export * from './presign/sigv4-presigner.js';
