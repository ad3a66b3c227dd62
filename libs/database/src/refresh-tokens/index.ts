export * from './refresh-token-database.module.js';
export * from './refresh-token.repository.js';
