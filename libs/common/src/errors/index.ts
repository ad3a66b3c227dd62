export * from './app-error.js';
export * from './error-code.js';
