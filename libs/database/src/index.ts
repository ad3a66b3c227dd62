// Database: the only importer of mongoose / @nestjs/mongoose. Connection, health, repositories.
// What this barrel exports is plain TypeScript (records with string ids, abstract repositories):
// no mongoose or mongodb type appears in its signatures, so callers never depend on the driver.
export type { DatabaseTuning } from './database-options.js';
export * from './database.module.js';
export * from './health/database-health.indicator.js';
export * from './users/index.js';
export * from './refresh-tokens/index.js';
export * from './rate-limits/index.js';
export * from './login-attempts/index.js';
export * from './sessions/index.js';
export * from './events/index.js';
export * from './pairings/index.js';
export * from './files/index.js';
export * from './quotas/index.js';
export * from './leases/index.js';
export * from './lifecycle/index.js';
