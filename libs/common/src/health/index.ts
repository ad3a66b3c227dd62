export * from './health.module.js';
export type { ReadinessCheck, ReadinessIndicator } from './readiness.js';
export { withLivenessOperation } from './liveness.js';
