export * from './file-lifecycle.repository.js';
export * from './session-lifecycle.repository.js';
export * from './lifecycle-database.module.js';
export type { WriteFence } from './write-fence.js';
