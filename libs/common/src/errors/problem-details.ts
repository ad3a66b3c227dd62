import type { ErrorCode } from './error-code.js';
import type { FieldError } from './app-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, as every error response carries them (see docs/api.md). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  /** At most MAX_PROBLEM_ERRORS entries. */
  errors?: FieldError[];
  /** How many more field problems there were than `errors` shows. */
  errorsOmitted?: number;
  /** RFC 8628 polling interval in seconds (pairing polls). */
  interval?: number;
}

/** A stable URI per code; clients key on `code`, `type` satisfies RFC 9457. */
export function problemType(code: ErrorCode): string {
  return `urn:sharexpress:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

/** "VALIDATION_FAILED" → "Validation failed": one fixed title per code, as RFC 9457 expects. */
export function problemTitle(code: ErrorCode): string {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
