import { ERROR_STATUS, type ErrorCode } from './error-code.js';

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 extension members a problem may carry besides the standard ones (a closed set). */
export interface ProblemExtensions {
  /** RFC 8628: seconds a pairing poll must wait before the next one (AUTHORIZATION_PENDING, SLOW_DOWN). */
  interval?: number;
}

export interface AppErrorOptions {
  /** Field-level problems, rendered as `errors` in the problem+json body. */
  errors?: FieldError[];
  /** Seconds, sent as `Retry-After` (429 and 503 answers). */
  retryAfterSeconds?: number;
  /** Extra members of the problem+json body. */
  extensions?: ProblemExtensions;
  cause?: unknown;
}

/**
 * A coded domain error. Thrown below controllers instead of HttpException; the global
 * problem+json filter maps `code` to the HTTP status through ERROR_STATUS.
 */
export class AppError extends Error {
  readonly errors?: FieldError[];
  readonly retryAfterSeconds?: number;
  readonly extensions?: ProblemExtensions;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extensions = options.extensions;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
