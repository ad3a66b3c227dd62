export * from './logger-options.js';
export * from './logging.module.js';
export * from './request-context.js';
export * from './request-logging.js';
