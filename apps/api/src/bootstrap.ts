import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { configureHttpApp, createFastifyAdapter, HTTP_APP_OPTIONS } from '@app/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { setupSwagger } from './swagger.js';

export interface CreateApiAppOptions {
  /** Extra modules (tests mount probe controllers this way); production passes none. */
  extraModules?: (Type | DynamicModule)[];
}

/**
 * Builds the API application, fully configured but not listening: main.ts and the e2e tests
 * (test/support/test-app.ts) share this exact setup.
 */
export async function createApiApp(
  config: AppConfig,
  options: CreateApiAppOptions = {},
): Promise<NestFastifyApplication> {
  const root = AppModule.forRoot(config);
  root.imports = [...(root.imports ?? []), ...(options.extraModules ?? [])];
  const app = await NestFactory.create<NestFastifyApplication>(
    root,
    createFastifyAdapter(config),
    HTTP_APP_OPTIONS,
  );
  try {
    await configureHttpApp(app, config);
    setupSwagger(app);
    await app.init();
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}
