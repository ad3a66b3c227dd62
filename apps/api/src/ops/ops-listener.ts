import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '@app/config';
import { configureHttpApp, createFastifyAdapter, HTTP_APP_OPTIONS } from '@app/common';
import { serveApiDocs } from '../swagger.js';
import { OpsModule } from './ops.module.js';

/**
 * Starts the ops listener on OPS_PORT (same HOST as the API): /metrics and, given a document,
 * /docs, /docs-json and /docs-yaml. A second Nest app on its own Fastify, set up like the API
 * (problem+json 404s, request ids, the CSP Swagger UI runs under), so PORT need not serve them.
 * On failure (a taken port) it closes what it opened and throws an error naming OPS_PORT.
 */
export async function startOpsListener(
  config: AppConfig,
  port: number,
  document: OpenAPIObject | undefined,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    OpsModule.forRoot(config),
    createFastifyAdapter(config),
    HTTP_APP_OPTIONS,
  );
  try {
    configureHttpApp(app, config);
    if (document !== undefined) serveApiDocs(app, document);
    await app.listen(port, config.host);
  } catch (err) {
    await app.close();
    // Says which of the two ports failed (EADDRINUSE alone names neither variable).
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`ops listener on OPS_PORT ${String(port)}: ${reason}`, { cause: err });
  }
  return app;
}

/**
 * The API's handle on its ops listener. Nest calls onApplicationShutdown after the API's own
 * server has closed, so the listener closes once the requests in flight on PORT have drained:
 * /metrics stays scrapeable during the drain.
 */
@Injectable()
export class OpsListener implements OnApplicationShutdown {
  private app: NestFastifyApplication | undefined;

  attach(app: NestFastifyApplication): void {
    this.app = app;
  }

  async onApplicationShutdown(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    await app?.close();
  }
}
