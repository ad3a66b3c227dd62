export * from './public.decorator.js';
