export * from './logger-options.js';
export * from './logging.module.js';
export * from './request-context.js';
export * from './request-logging.js';
export * from './log-destination.js';
