import { byStatus } from '../errors/to-problem.js';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details.js';
import { problemBody } from '../errors/problem-response.js';

/**
 * The problem+json body replacing an error answer that bypassed the exception filter with
 * another format (a plugin's text/plain 400, an empty 4xx), or undefined to leave it alone.
 * Success answers, problem+json and JSON errors are left alone: a JSON error body is a
 * route's own choice (the readiness probe's Terminus document). Streams are never replaced.
 */
export function strayErrorProblem(
  statusCode: number,
  contentType: unknown,
  payload: unknown,
  requestId: string,
): string | undefined {
  if (statusCode < 400) return undefined;
  const type = typeof contentType === 'string' ? contentType.toLowerCase() : '';
  if (type.startsWith(PROBLEM_CONTENT_TYPE) || type.startsWith('application/json')) {
    return undefined;
  }
  if (payload !== undefined && payload !== null && typeof payload !== 'string') {
    if (!Buffer.isBuffer(payload)) return undefined;
  }
  const problem = byStatus(statusCode, 'The request could not be served.');
  return JSON.stringify(problemBody(problem, requestId));
}
