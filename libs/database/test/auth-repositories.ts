// Boots the auth repositories on a fresh database for the repository specs.
import { RateLimitDatabaseModule } from '../src/rate-limits/rate-limit-database.module.js';
import { RefreshTokenDatabaseModule } from '../src/refresh-tokens/refresh-token-database.module.js';
import { UserDatabaseModule } from '../src/users/user-database.module.js';
import { startDatabaseFixture, type DatabaseFixture } from './database-fixture.js';

export type AuthRepositoriesFixture = DatabaseFixture;

export const startAuthRepositories = (): Promise<AuthRepositoriesFixture> =>
  startDatabaseFixture('auth', [
    UserDatabaseModule,
    RefreshTokenDatabaseModule,
    RateLimitDatabaseModule,
  ]);
