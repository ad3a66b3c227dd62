export * from './pairing.repository.js';
