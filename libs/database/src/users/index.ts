export * from './user-database.module.js';
export { UserRepository, type NewUser, type UserRecord } from './user.repository.js';
