import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AppConfig } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { useRequestLogging } from '../logging/request-logging.js';
import { AppError } from '../errors/app-error.js';
import { ProblemFilter } from '../errors/problem.filter.js';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details.js';
import { createValidationPipe } from '../errors/validation.js';
import { WellFormedTextPipe } from '../validation/well-formed-text.pipe.js';
import { answerConnect, answerUnmetExpectation } from './client-error.js';
import { CLOSING_RETRY_AFTER_SECONDS, closingProblem } from './closing-problem.js';
import { useBoundedJsonParser } from './json-body.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { applySecurity } from './security.js';
import { strayErrorProblem } from './stray-error.js';

const PROBLEM_TYPE_HEADER = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

/**
 * Everything both apps share between `NestFactory.create` and `listen`: pino as the Nest
 * logger, `x-request-id` on every response, helmet + CORS, the problem+json filter, the
 * well-formed-text check and the validation pipe. Entry points add shutdown hooks themselves
 * (tests run many apps per process). Call before `init()`/`listen()`.
 */
export function configureHttpApp(app: NestFastifyApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  useRequestLogging(fastify, PinoLogger.root);
  // JSON only: anything else is 415 UNSUPPORTED_MEDIA_TYPE rather than a string body; and
  // JSON within shape limits, so validation never recurses or loops without bound.
  fastify.removeContentTypeParser('text/plain');
  useBoundedJsonParser(fastify);
  // Node answers these itself with an empty body (or drops a CONNECT); createFastifyAdapter
  // turns its own Host check off so that this one answers in problem+json (RFC 9112: an
  // HTTP/1.1 request needs a Host).
  fastify.server.on('checkExpectation', answerUnmetExpectation);
  fastify.server.on('connect', answerConnect);
  fastify.addHook('onRequest', (request, _reply, done) => {
    const { httpVersionMajor, httpVersionMinor, headers } = request.raw;
    const needsHost = httpVersionMajor > 1 || (httpVersionMajor === 1 && httpVersionMinor >= 1);
    if (needsHost && headers.host === undefined && headers[':authority'] === undefined) {
      done(new AppError('BAD_REQUEST', 'An HTTP/1.1 request must carry a Host header.'));
      return;
    }
    done();
  });
  // Responses finished while closing end their keep-alive connection; otherwise the server
  // waits for idle sockets to time out (keepAliveTimeout) before close() resolves.
  let closing = false;
  // A connection that never carried a request (a client's spare socket, such as the one undici
  // opens after an aborted stream) is not idle to Node: close() would wait for connectionTimeout
  // (60 s) on it, and a real process would reach its shutdown deadline.
  const unused = new Set<Socket>();
  fastify.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  fastify.server.on('request', (request: IncomingMessage) => unused.delete(request.socket));
  fastify.addHook('preClose', (done) => {
    closing = true;
    for (const socket of unused) socket.destroy();
    done();
  });
  // onSend runs for every reply Fastify sends, errors and 404s included. A callback hook, not
  // an async one: a success answer, the common case, costs no promise.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (closing) reply.header('connection', 'close');
    if (reply.statusCode < 400) {
      done(null, payload);
      return;
    }
    const closing503 = closingProblem(reply.statusCode, payload, request.id);
    if (closing503 !== undefined) {
      reply
        .header('content-type', PROBLEM_TYPE_HEADER)
        .header('retry-after', String(CLOSING_RETRY_AFTER_SECONDS));
      done(null, closing503);
      return;
    }
    // Last resort for an error some plugin answered in its own format (@fastify/cors's
    // text/plain 400 to a bad preflight): every error leaves as problem+json.
    const stray = strayErrorProblem(
      reply.statusCode,
      reply.getHeader('content-type'),
      payload,
      request.id,
    );
    if (stray === undefined) {
      done(null, payload);
      return;
    }
    reply
      .header('content-type', PROBLEM_TYPE_HEADER)
      .header('cache-control', 'no-store')
      .removeHeader('content-length');
    done(null, stray);
  });

  applySecurity(app, config);
  app.useGlobalFilters(new ProblemFilter());
  // No handler, validator or store ever sees a string with a lone surrogate: refused first.
  app.useGlobalPipes(new WellFormedTextPipe(), createValidationPipe());
}
