export * from './event.repository.js';
