export * from './public.decorator.js';
export * from './auth.decorator.js';
export * from './current-principal.decorator.js';
export * from './principal.js';
export * from './route-metadata.js';
