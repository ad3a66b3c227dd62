export * from './file.repository.js';
export * from './file-downloads.repository.js';
export * from './session-files.repository.js';
export * from './file-database.module.js';
