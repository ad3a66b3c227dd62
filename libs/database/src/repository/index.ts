export * from './duplicate-key.js';
export * from './to-plain.js';
