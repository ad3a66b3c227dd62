export * from './device-access.module.js';
export * from './device-access.service.js';
