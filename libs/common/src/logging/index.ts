export * from './logger-options.js';
export * from './logging.module.js';
