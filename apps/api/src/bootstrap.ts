import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { configureHttpApp, createFastifyAdapter, HTTP_APP_OPTIONS } from '@app/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { OpsListener, startOpsListener } from './ops/ops-listener.js';
import { buildApiDocument, serveApiDocs } from './swagger.js';

export interface CreateApiAppOptions {
  /** Extra modules (tests mount probe controllers this way); production passes none. */
  extraModules?: (Type | DynamicModule)[];
}

/**
 * Builds the API application, fully configured but not listening on PORT: main.ts and the e2e
 * tests (test/support/test-app.ts) share this exact setup. With OPS_PORT set, /metrics and the
 * docs are not routes of this app: a second listener, already listening when this returns,
 * serves them on OPS_PORT and closes after this app (OpsListener).
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
    configureHttpApp(app, config);
    // The document describes what PORT serves, wherever it is served.
    const document = config.docsEnabled ? buildApiDocument(app) : undefined;
    if (document !== undefined && config.opsPort === null) serveApiDocs(app, document);
    await app.init();
    if (config.opsPort !== null) {
      app.get(OpsListener).attach(await startOpsListener(config, config.opsPort, document));
    }
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}
