export * from './pairing.repository.js';
export * from './pairing-database.module.js';
