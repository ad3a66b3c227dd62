import { REQUEST_ID_HEADER } from '../http/request-id.js';
import {
  PROBLEM_CONTENT_TYPE,
  problemTitle,
  problemType,
  type ProblemDetails,
} from './problem-details.js';
import type { MappedProblem } from './to-problem.js';

// Used when a 429/503 carries no better hint (AppError.retryAfterSeconds or a guard's header).
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function problemBody(problem: MappedProblem, requestId: string): ProblemDetails {
  return {
    type: problemType(problem.code),
    title: problemTitle(problem.code),
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    requestId,
    ...(problem.errors === undefined ? {} : { errors: problem.errors }),
  };
}

/** Headers of a problem response; `retryAfterSet` when a guard already sent Retry-After. */
export function problemHeaders(
  problem: MappedProblem,
  requestId: string,
  retryAfterSet = false,
): Record<string, string> {
  const headers: Record<string, string> = {
    [REQUEST_ID_HEADER]: requestId,
    'cache-control': 'no-store',
    'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
  };
  if (problem.status === 429 || problem.status === 503) {
    const seconds =
      problem.retryAfterSeconds ?? (retryAfterSet ? undefined : DEFAULT_RETRY_AFTER_SECONDS);
    if (seconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(seconds)));
  }
  return headers;
}
