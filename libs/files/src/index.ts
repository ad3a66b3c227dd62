// Files: the parts of the file lifecycle that both the API and the worker run (verifying an
// uploaded object, accepting or rejecting it and giving its reservations back).
export * from './content-type.js';
export * from './file-lifecycle-metrics.js';
export * from './file-object.js';
export * from './file-reservations.js';
export * from './file-verdict.service.js';
export * from './file-verifier.js';
export * from './files-lifecycle.module.js';
export * from './rejection.js';
export * from './sniff.js';
export * from './storage-key.js';
export { LEASE_RENEW_EVERY_MS, VerificationLeaseLostError } from './verification-lease.js';
export type { UploadMode } from './upload-mode.js';
