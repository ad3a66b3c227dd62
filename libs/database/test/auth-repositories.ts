// Boots the auth repositories on a fresh database of the devstack (or MONGODB_URI) for the
// repository specs. Test code: it lives under test/ so product sources never reach the devstack.
import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@app/config';
import {
  randomSuffix,
  startTestBackends,
  type TestBackends,
} from '../../../test/support/backends.js';
import { DatabaseModule } from '../src/database.module.js';
import { RateLimitDatabaseModule } from '../src/rate-limits/rate-limit-database.module.js';
import { RefreshTokenDatabaseModule } from '../src/refresh-tokens/refresh-token-database.module.js';
import { UserDatabaseModule } from '../src/users/user-database.module.js';

export interface AuthRepositoriesFixture {
  moduleRef: TestingModule;
  close(): Promise<void>;
}

export async function startAuthRepositories(): Promise<AuthRepositoriesFixture> {
  const backends: TestBackends = await startTestBackends();
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      MONGODB_URI: `${backends.mongoUri}/sx_auth_${randomSuffix()}`,
      S3_ENDPOINT: backends.s3.endpoint,
      S3_ACCESS_KEY_ID: backends.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: backends.s3.secretAccessKey,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        UserDatabaseModule,
        RefreshTokenDatabaseModule,
        RateLimitDatabaseModule,
      ],
    }).compile();
    await moduleRef.init();
    return {
      moduleRef,
      close: async () => {
        await moduleRef.close();
        await backends.stop();
      },
    };
  } catch (error) {
    await backends.stop();
    throw error;
  }
}
