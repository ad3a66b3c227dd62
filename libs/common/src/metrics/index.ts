export * from './http-metrics.js';
export * from './http-metrics.module.js';
export * from './metrics.module.js';
