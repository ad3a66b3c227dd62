export * from './web.module.js';
export { WEB_DIST_DIR } from './web-client.service.js';
