export * from './user-database.module.js';
export * from './user.repository.js';
