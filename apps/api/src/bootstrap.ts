import type { AppConfig } from '@app/config';
import { configureHttpApp, createFastifyAdapter } from '@app/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { setupSwagger } from './swagger.js';

/**
 * Builds the API application, fully configured but not listening: main.ts and the e2e tests
 * (test/support/test-app.ts) share this exact setup.
 */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createFastifyAdapter(config),
    { bufferLogs: true, return503OnClosing: true },
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
