import { REQUEST_ID_HEADER } from '../http/request-id.js';
import {
  PROBLEM_CONTENT_TYPE,
  problemTitle,
  problemType,
  type ProblemDetails,
} from './problem-details.js';
import type { FieldError } from './app-error.js';
import type { MappedProblem } from './to-problem.js';

// Used when a 429/503 carries no better hint (AppError.retryAfterSeconds or a guard's header).
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** At most this many `errors` entries are sent; `errorsOmitted` counts the rest. */
export const MAX_PROBLEM_ERRORS = 20;
// A field or message longer than this is cut (an unknown key may be kilobytes long).
const MAX_ERROR_TEXT = 200;

function clip(text: string): string {
  if (text.length <= MAX_ERROR_TEXT) return text;
  // Never cut a surrogate pair in half.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(MAX_ERROR_TEXT - 1))
    ? MAX_ERROR_TEXT - 1
    : MAX_ERROR_TEXT;
  return `${text.slice(0, end)}…`;
}

// A bounded answer whatever the input: an error body never grows with the request.
function boundedErrors(
  errors: readonly FieldError[],
): Pick<ProblemDetails, 'errors' | 'errorsOmitted'> {
  const shown = errors
    .slice(0, MAX_PROBLEM_ERRORS)
    .map(({ field, message }) => ({ field: clip(field), message: clip(message) }));
  const omitted = errors.length - shown.length;
  return omitted > 0 ? { errors: shown, errorsOmitted: omitted } : { errors: shown };
}

export function problemBody(problem: MappedProblem, requestId: string): ProblemDetails {
  return {
    // Extensions first: they can never overwrite a standard member.
    ...problem.extensions,
    type: problemType(problem.code),
    title: problemTitle(problem.code),
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    requestId,
    ...(problem.errors === undefined ? {} : boundedErrors(problem.errors)),
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
