// Boots libs/database modules on a fresh database of the devstack (or MONGODB_URI) for the
// repository specs. Test code: it lives under test/ so product sources never reach the devstack.
import type { DynamicModule, Type } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@app/config';
import type { Connection } from 'mongoose';
import { randomSuffix, startTestBackends } from '../../../test/support/backends.js';
import { DatabaseModule } from '../src/database.module.js';

export interface DatabaseFixture {
  moduleRef: TestingModule;
  /** The raw connection, for looking at (and tampering with) what is stored. */
  connection: Connection;
  close(): Promise<void>;
}

export interface DatabaseFixtureOptions {
  /**
   * Driver options for the connection string, e.g. `monitorCommands=true` so a spec can watch
   * the commands sent (`connection.getClient().on('commandStarted', …)`).
   */
  uriOptions?: string;
}

/**
 * `modules` on their own database `sx_<prefix>_<random>`, with every model's indexes built
 * (the concurrency specs rely on the unique ones).
 */
export async function startDatabaseFixture(
  prefix: string,
  modules: (Type | DynamicModule)[],
  options: DatabaseFixtureOptions = {},
): Promise<DatabaseFixture> {
  const backends = await startTestBackends();
  try {
    const query = options.uriOptions === undefined ? '' : `?${options.uriOptions}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      MONGODB_URI: `${backends.mongoUri}/sx_${prefix}_${randomSuffix()}${query}`,
      S3_ENDPOINT: backends.s3.endpoint,
      S3_ACCESS_KEY_ID: backends.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: backends.s3.secretAccessKey,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), ...modules],
    }).compile();
    await moduleRef.init();
    const connection = moduleRef.get<Connection>(getConnectionToken());
    await Promise.all(Object.values(connection.models).map((model) => model.init()));
    return {
      moduleRef,
      connection,
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
