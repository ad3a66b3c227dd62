export * from './live.module.js';
