import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import {
  PROBLEM_CONTENT_TYPE,
  problemTitle,
  problemType,
  type ProblemDetails,
} from './problem-details.js';
import { toProblem, type MappedProblem } from './to-problem.js';

// Used when a 429/503 carries no better hint (AppError.retryAfterSeconds or a guard's header).
const DEFAULT_RETRY_AFTER_SECONDS = 5;

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
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(exception);
    this.log(problem, exception, request);

    if (reply.sent) return; // a streamed response failed midway; nothing more can be said
    const body: ProblemDetails = {
      type: problemType(problem.code),
      title: problemTitle(problem.code),
      status: problem.status,
      detail: problem.detail,
      code: problem.code,
      requestId: request.id,
      ...(problem.errors === undefined ? {} : { errors: problem.errors }),
    };
    if (problem.status === 429 || problem.status === 503) {
      const existing = reply.getHeader('retry-after');
      const seconds =
        problem.retryAfterSeconds ??
        (existing === undefined ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
      if (seconds !== undefined)
        reply.header('retry-after', String(Math.max(1, Math.ceil(seconds))));
    }
    void reply
      .status(problem.status)
      .header(REQUEST_ID_HEADER, request.id)
      .header('cache-control', 'no-store')
      .type(PROBLEM_CONTENT_TYPE)
      .send(body);
  }

  private log(problem: MappedProblem, exception: unknown, request: FastifyRequest): void {
    const context = { reqId: request.id, method: request.method, route: request.routeOptions.url };
    if (problem.serverFault) {
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
