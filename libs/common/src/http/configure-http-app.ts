import type { AppConfig } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ProblemFilter } from '../errors/problem.filter.js';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details.js';
import { createValidationPipe } from '../errors/validation.js';
import { CLOSING_RETRY_AFTER_SECONDS, closingProblem } from './closing-problem.js';
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
  // JSON only: anything else is 415 UNSUPPORTED_MEDIA_TYPE rather than a string body.
  fastify.removeContentTypeParser('text/plain');
  // Responses finished while closing end their keep-alive connection; otherwise the server
  // waits for idle sockets to time out (keepAliveTimeout) before close() resolves.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // onSend runs for every reply Fastify sends, errors and 404s included.
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (closing) reply.header('connection', 'close');
    const problem = closingProblem(reply.statusCode, payload, request.id);
    if (problem === undefined) return payload;
    reply
      .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
      .header('retry-after', String(CLOSING_RETRY_AFTER_SECONDS));
    return problem;
  });
  await applySecurity(app, config);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(createValidationPipe());
}
