export * from './file-lifecycle.repository.js';
export * from './session-lifecycle.repository.js';
export * from './lifecycle-database.module.js';
export type { WriteFence, WriteGate } from './write-fence.js';
