// Boots the real API (the same createApiApp as main.ts) on 127.0.0.1:<free port> for e2e specs.
//
//   const t = await startTestApp();                      // starts its own backends
//   const res = await fetch(`${t.baseUrl}/health/live`);
//   await t.close();                                     // stops only what it started
//
// Share backends between apps with `startTestApp({ backends })`; two apps share one database
// when given the same `env.MONGODB_URI` (e.g. `${backends.mongoUri}/sx_shared`). Each app
// otherwise gets its own database `sx_<random>`. Logs are silent unless TEST_LOG_LEVEL is set.
import { loadConfig, type AppConfig } from '@app/config';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MongoClient } from 'mongodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiApp } from '../../apps/api/src/bootstrap.js';
import { backendEnv, randomSuffix, startTestBackends, type TestBackends } from './backends.js';

export interface TestApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  app: NestFastifyApplication;
  config: AppConfig;
  backends: TestBackends;
  close(): Promise<void>;
}

export interface TestAppOptions {
  backends?: TestBackends;
  /** Extra or overriding environment variables (validated by loadConfig like production). */
  env?: Record<string, string>;
  /** Test-only modules mounted next to the real ones (e.g. a probe controller). */
  extraModules?: (Type | DynamicModule)[];
}

/** The environment a test app gets from its backends, before `options.env` overrides. */
export function testEnv(backends: TestBackends, dataDir: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    ...backendEnv(backends, `sx_${randomSuffix()}`),
    // 2^12 instead of production's 2^17: ~30x cheaper per hash, same format and code path.
    PASSWORD_SCRYPT_LOG2N: '12',
  };
}

/** Drops the database named in `uri` (best effort), e.g. one made with `testEnv()`. */
export async function dropDatabase(uri: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
  try {
    await client.db().dropDatabase();
  } catch {
    // Best effort: a leftover test database is harmless.
  } finally {
    await client.close();
  }
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownBackends = options.backends === undefined;
  const backends = options.backends ?? (await startTestBackends());
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-app-'));
  let app: NestFastifyApplication | undefined;
  try {
    const config = loadConfig({ ...testEnv(backends, dataDir), ...options.env });
    app = await createApiApp(config, { extraModules: options.extraModules });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const started = app;
    return {
      baseUrl: `http://127.0.0.1:${String(address.port)}`,
      app: started,
      config,
      backends,
      close: async () => {
        await started.close();
        await rm(dataDir, { recursive: true, force: true });
        // On a real MongoDB, drop the database this app created (never one passed in env).
        if (backends.external.mongo && options.env?.MONGODB_URI === undefined) {
          await dropDatabase(config.mongo.uri);
        }
        if (ownBackends) await backends.stop();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    if (ownBackends) await backends.stop();
    throw err;
  }
}
