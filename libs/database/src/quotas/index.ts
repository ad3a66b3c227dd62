export * from './quota.repository.js';
export * from './quota-database.module.js';
