import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { requestLogLevel, serializeRequest } from './logger-options.js';
import { runInRequestLogContext } from './request-context.js';

// Health probes every few seconds would drown the useful lines.
const isProbe = (request: FastifyRequest): boolean => request.url.startsWith('/health/');

/**
 * The access log and the request scope as Fastify hooks, where they cost least: no Express
 * middleware layer (middie), no child logger per request. Each request that is not a probe
 * gets one line when it ends, as pino-http wrote it (`req`, `res`, `responseTime`, `reqId`), at
 * the level `requestLogLevel` picks; a client that hung up first gets `request aborted`.
 *
 * The scope opens in preHandler, after the body is read (a stream's events would otherwise run
 * outside it), so that everything Nest runs for the route (guards, pipes, the handler, the
 * exception filter) logs with the request's id.
 */
export function useRequestLogging(fastify: FastifyInstance, root: Logger): void {
  // The line is built from the four fields serializeRequest allows: nothing in it to redact or
  // to serialize again, so it skips the root's redaction paths and serializers.
  const access = root.child(
    {},
    { redact: [], serializers: { req: (req: unknown) => req, res: (res: unknown) => res } },
  );
  const req = (request: FastifyRequest) =>
    serializeRequest({
      id: request.id,
      method: request.method,
      remoteAddress: request.ip,
      raw: request.raw,
    });
  const line = (request: FastifyRequest, reply: FastifyReply) => ({
    reqId: request.id,
    req: req(request),
    res: { statusCode: reply.statusCode },
    responseTime: Math.round(reply.elapsedTime),
  });
  // A client that leaves before its answer was sent: nothing finishes, so onResponse never runs.
  // Fastify's onRequestAbort (below) sees it only while the request is unread (Node's `aborted`:
  // a GET's, or a body cut short); this catches the rest, a client that sent its whole body and
  // then left. A hijacked reply (an event stream) counts as sent.
  const aborted = (request: FastifyRequest, reply: FastifyReply) => () => {
    if (reply.sent || request.raw.aborted) return;
    access.info(
      { reqId: request.id, req: req(request), responseTime: Math.round(reply.elapsedTime) },
      'request aborted',
    );
  };
  fastify.addHook('preHandler', (request, reply, done) => {
    // Only where the body was read: any other request stays unread, which onRequestAbort sees.
    if (request.raw.readableEnded && !isProbe(request)) {
      reply.raw.once('close', aborted(request, reply));
    }
    runInRequestLogContext(request.id, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!isProbe(request)) {
      const level = requestLogLevel(request.raw, reply.raw);
      access[level](
        line(request, reply),
        level === 'error' ? 'request errored' : 'request completed',
      );
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    if (!isProbe(request)) {
      access.info({ reqId: request.id, req: req(request) }, 'request aborted');
    }
    done();
  });
}
