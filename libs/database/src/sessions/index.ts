export * from './session.types.js';
export * from './session.repository.js';
export * from './device.repository.js';
export * from './session-database.module.js';
