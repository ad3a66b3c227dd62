export * from './refresh-token-database.module.js';
export {
  RefreshTokenRepository,
  type NewRefreshToken,
  type RefreshTokenRecord,
} from './refresh-token.repository.js';
