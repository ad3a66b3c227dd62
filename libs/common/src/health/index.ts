export * from './health.module.js';
export type { ReadinessCheck, ReadinessIndicator } from './readiness.js';
export { LIVENESS_PATH, withLivenessOperation } from './liveness.js';
