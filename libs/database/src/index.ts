// Database: the only importer of mongoose / @nestjs/mongoose. Connection, health, repositories.
export * from './database-options.js';
export * from './database.module.js';
export * from './health/database-health.indicator.js';
export * from './repository/index.js';
export * from './users/index.js';
export * from './refresh-tokens/index.js';
export * from './rate-limits/index.js';
