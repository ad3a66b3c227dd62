import type { AppConfig } from '@app/config';
import { configureHttpApp, createFastifyAdapter, HTTP_APP_OPTIONS } from '@app/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WorkerModule } from './worker.module.js';

/**
 * Builds the worker application, fully configured but not listening: main.ts and the e2e
 * tests share this setup. It serves /health/live, /health/ready and /metrics on WORKER_PORT, and
 * its lifecycle jobs start ticking from app.init() on (the first about a second later).
 */
export async function createWorkerApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.forRoot(config),
    createFastifyAdapter(config),
    HTTP_APP_OPTIONS,
  );
  try {
    configureHttpApp(app, config);
    await app.init();
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}
