export * from './event.repository.js';
export * from './event-tail.js';
export * from './event-tail.module.js';
