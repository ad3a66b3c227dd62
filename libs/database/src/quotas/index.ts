export * from './quota.repository.js';
