export * from './configure-http-app.js';
export * from './fastify-adapter.js';
export * from './request-id.js';
