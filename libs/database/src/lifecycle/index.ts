export * from './file-lifecycle.repository.js';
export * from './session-lifecycle.repository.js';
export * from './lifecycle-database.module.js';
