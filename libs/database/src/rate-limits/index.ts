export * from './rate-limit-database.module.js';
export * from './rate-limit.repository.js';
