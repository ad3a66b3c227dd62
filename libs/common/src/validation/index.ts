export * from './text.js';
export * from './text-fields.js';
export * from './well-formed-text.pipe.js';
