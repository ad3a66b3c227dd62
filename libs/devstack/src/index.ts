// The devstack: embedded MongoDB-wire-compatible and S3-compatible servers for development and
// tests. Never a production dependency: product code only ever sees connection settings.
export * from './mongo/index.js';
export * from './s3/index.js';
