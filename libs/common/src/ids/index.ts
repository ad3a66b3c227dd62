export * from './public-id.js';
