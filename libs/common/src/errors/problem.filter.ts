import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { allowedMethods } from '../http/allowed-methods.js';
import { problemBody, problemHeaders } from './problem-response.js';
import { routeNotFound, toProblem, type MappedProblem } from './to-problem.js';

// A raw Node request as middie hands it to middleware (it copies Fastify's id onto it).
type RawRequest = IncomingMessage & { id?: unknown };

/**
 * The one global exception filter (API and worker): every error, whatever threw it, leaves as
 * `application/problem+json` with the request id. Unknown errors are logged and answered as a
 * bare 500 `INTERNAL`.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    // Errors thrown in Nest middleware arrive with the raw Node request/response instead of
    // Fastify's wrappers; both get the same answer.
    const request = http.getRequest<FastifyRequest | RawRequest>();
    const reply = http.getResponse<FastifyReply | ServerResponse>();
    const requestId = typeof request.id === 'string' ? request.id : '';
    // No route matched (Nest's not-found handler threw): 405 when the path exists with other
    // methods, else 404.
    const unrouted = 'is404' in request && request.is404 ? request : undefined;
    const allowed = unrouted === undefined ? undefined : allowedMethods(unrouted);
    const problem =
      unrouted === undefined || allowed === undefined
        ? toProblem(exception)
        : routeNotFound(unrouted.method, unrouted.url, allowed);
    this.log(problem, exception, request, requestId);

    const raw = 'raw' in reply ? reply.raw : reply;
    if (raw.headersSent) return; // a streamed response failed midway; nothing more can be said
    const body = problemBody(problem, requestId);
    const headers = problemHeaders(
      problem,
      requestId,
      reply.getHeader('retry-after') !== undefined,
    );
    if (problem.status === 405 && allowed !== undefined) headers.allow = allowed.join(', ');
    // Every 401 names its scheme (RFC 9110 §15.5.2); the guards set a more precise challenge.
    if (problem.status === 401 && reply.getHeader('www-authenticate') === undefined) {
      headers['www-authenticate'] = 'Bearer';
    }
    if ('raw' in reply) {
      void reply.status(problem.status).headers(headers).send(body);
    } else {
      reply.writeHead(problem.status, headers).end(JSON.stringify(body));
    }
  }

  private log(
    problem: MappedProblem,
    exception: unknown,
    request: FastifyRequest | RawRequest,
    reqId: string,
  ): void {
    const route = 'routeOptions' in request ? request.routeOptions.url : undefined;
    const context = { reqId, method: request.method, route };
    if (problem.clientGone === true) {
      // Clients on flaky networks do this all day; it is not the server's fault.
      this.logger.debug(
        { ...context, code: (exception as { code?: unknown }).code },
        'Client went away mid-request',
      );
    } else if (problem.serverFault) {
      this.logger.error({ ...context, err: exception }, 'Unhandled error while serving a request');
    } else if (problem.status >= 500) {
      const reason = exception instanceof Error ? exception.message : String(exception);
      this.logger.warn(
        { ...context, code: problem.code, reason },
        'Request failed: dependency unavailable',
      );
    }
  }
}
