export * from './app-error.js';
export * from './error-code.js';
export * from './problem-details.js';
export * from './problem.filter.js';
export * from './problem-response.js';
export * from './to-problem.js';
export * from './validation.js';
