export * from './app-config.js';
export * from './config-error.js';
export * from './config-warnings.js';
export * from './config.module.js';
export {
  jobIntervalVariable,
  loadConfig,
  loadConfigFromProcess,
  loadConfigOrExit,
} from './load-config.js';
export type { Env } from './env-reader.js';
