export * from './file.repository.js';
export * from './session-files.repository.js';
