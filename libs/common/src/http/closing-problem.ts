import { problemTitle, problemType, type ProblemDetails } from '../errors/problem-details.js';

// What Nest's and Fastify's return503OnClosing send while the server drains; it bypasses the
// exception filter, so it is rewritten on its way out to keep one error shape.
const CLOSING_BODY = JSON.stringify({
  error: 'Service Unavailable',
  message: 'Service Unavailable',
  statusCode: 503,
});

export const CLOSING_RETRY_AFTER_SECONDS = 2;

/** The problem+json body replacing a shutdown 503, or undefined for any other response. */
export function closingProblem(
  statusCode: number,
  payload: unknown,
  requestId: string,
): string | undefined {
  if (statusCode !== 503 || payload !== CLOSING_BODY) return undefined;
  const body: ProblemDetails = {
    type: problemType('SERVICE_UNAVAILABLE'),
    title: problemTitle('SERVICE_UNAVAILABLE'),
    status: 503,
    detail: 'The server is shutting down; retry on another instance.',
    code: 'SERVICE_UNAVAILABLE',
    requestId,
  };
  return JSON.stringify(body);
}
