export * from './errors/index.js';
export * from './auth/index.js';
export * from './http/index.js';
export * from './logging/index.js';
export * from './health/index.js';
export * from './metrics/index.js';
export * from './validation/index.js';
export * from './ids/index.js';
