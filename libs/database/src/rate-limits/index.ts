export * from './rate-limit-database.module.js';
export { RateLimitRepository, type RateLimitCounter } from './rate-limit.repository.js';
