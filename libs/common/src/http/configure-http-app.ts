import type { AppConfig } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ProblemFilter } from '../errors/problem.filter.js';
import { createValidationPipe } from '../errors/validation.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { applySecurity } from './security.js';

/**
 * Everything both apps share between `NestFactory.create` and `listen`: pino as the Nest
 * logger, `x-request-id` on every response, helmet + CORS, the problem+json filter, and
 * the validation pipe. Entry points add shutdown hooks themselves (tests run many apps per
 * process). Call before `init()`/`listen()`.
 */
export async function configureHttpApp(
  app: NestFastifyApplication,
  config: AppConfig,
): Promise<void> {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  // onSend runs for every reply Fastify sends, errors and 404s included.
  fastify.addHook('onSend', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  await applySecurity(app, config);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(createValidationPipe());
}
