export * from './login-attempt-database.module.js';
export { LoginAttemptRepository, type LoginAttemptRecord } from './login-attempt.repository.js';
