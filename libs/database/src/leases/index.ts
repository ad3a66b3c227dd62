export * from './job-lease.repository.js';
export * from './lease-database.module.js';
