export * from './storage-errors.js';
