// Maps anything thrown while serving a request to the problem+json fields. Pure, so the whole
// mapping table is unit-tested without an HTTP server.
import { HttpException } from '@nestjs/common';
import { AppError, type FieldError, type ProblemExtensions } from './app-error.js';
import type { ErrorCode } from './error-code.js';

export interface MappedProblem {
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;
  extensions?: ProblemExtensions;
  /** A server fault: log it with its stack, show the client nothing of it. */
  serverFault: boolean;
  /** The client hung up mid-request: nobody reads the answer; worth a debug line at most. */
  clientGone?: boolean;
}

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  417: 'EXPECTATION_FAILED',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

// Fastify's own request errors, with a detail that tells the client what to fix.
const FASTIFY_ERRORS: Readonly<Record<string, { code: ErrorCode; detail: string }>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_REQUEST', detail: 'The body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'BAD_REQUEST',
    detail: 'The body is empty but content-type is application/json.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The request body is larger than this endpoint accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'This content type is not accepted; send application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    detail: 'The body size does not match Content-Length.',
  },
  // Their own messages quote the URL, which is not ours to echo.
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', detail: 'The URL is not validly percent-encoded.' },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'URI_TOO_LONG',
    detail: 'A path segment is longer than this server accepts.',
  },
};

// What a request's body stream fails with when the client hangs up before sending all of it.
const CLIENT_GONE_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Whether `error` only says that the client closed the connection mid-request. */
export function isClientGone(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && CLIENT_GONE_CODES.has(code)) || error.message === 'aborted';
}

const CLIENT_GONE: MappedProblem = {
  status: 400,
  code: 'BAD_REQUEST',
  detail: 'The client closed the connection before the request was complete.',
  serverFault: false,
  clientGone: true,
};

// How much of a path a 404 or 405 repeats: enough to recognize it, not a megabyte of it.
const MAX_ECHOED_PATH = 128;

/**
 * The answer for a request no route matched: `405` naming the allowed methods when the path
 * exists with others, else `404` (also when a route for this very method, such as a static
 * files wildcard, sent the request on to the not-found handler). The detail repeats the path,
 * never the query string (it may carry tokens).
 */
export function routeNotFound(
  method: string,
  url: string,
  allowedMethods: readonly string[],
): MappedProblem {
  const path = url.split('?', 1)[0] ?? '';
  const shown = path.length > MAX_ECHOED_PATH ? `${path.slice(0, MAX_ECHOED_PATH)}…` : path;
  if (allowedMethods.length > 0 && !allowedMethods.includes(method)) {
    return {
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      detail: `${shown} does not accept ${method}; see Allow.`,
      serverFault: false,
    };
  }
  return {
    status: 404,
    code: 'NOT_FOUND',
    detail: `No route ${method} ${shown}.`,
    serverFault: false,
  };
}

// The MongoDB driver's (and Mongoose's) ways of saying "the database cannot be reached right
// now", recognized by name so that libs/common needs no driver import. They are outages, not
// bugs: 503 with Retry-After, like an open storage breaker, instead of a 500.
const DATABASE_UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoWaitQueueTimeoutError',
]);
const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Whether `error` (or its cause, two levels down) says MongoDB is unreachable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; depth < 3; depth++) {
    if (!(e instanceof Error)) return false;
    if (DATABASE_UNAVAILABLE_ERRORS.has(e.name)) return true;
    // Mongoose queues operations while disconnected and gives up with this message.
    if (e.name === 'MongooseError' && /buffering timed out/.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}

const DATABASE_UNAVAILABLE: MappedProblem = {
  status: 503,
  code: 'DATABASE_UNAVAILABLE',
  detail: 'The database is temporarily unavailable; retry later.',
  retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  serverFault: false,
};

const INTERNAL_DETAIL = 'An unexpected error occurred.';
const UNAVAILABLE_DETAIL = 'The service is temporarily unavailable; retry later.';

interface FastifyLikeError {
  code: string;
  statusCode: number;
  message: string;
}

function asFastifyError(value: unknown): FastifyLikeError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { code, statusCode, message } = value as Partial<FastifyLikeError>;
  return typeof code === 'string' &&
    code.startsWith('FST_') &&
    typeof statusCode === 'number' &&
    typeof message === 'string'
    ? { code, statusCode, message }
    : undefined;
}

/** The problem for a bare status (what an error that only has one becomes). */
export function byStatus(status: number, clientDetail: string): MappedProblem {
  if (status >= 500) {
    const code = STATUS_CODES[status] ?? 'INTERNAL';
    const detail = code === 'SERVICE_UNAVAILABLE' ? UNAVAILABLE_DETAIL : INTERNAL_DETAIL;
    return { status, code, detail, serverFault: code === 'INTERNAL' };
  }
  return {
    status,
    code: STATUS_CODES[status] ?? 'BAD_REQUEST',
    detail: clientDetail,
    serverFault: false,
  };
}

function fromFastify(err: FastifyLikeError): MappedProblem {
  const known = FASTIFY_ERRORS[err.code];
  if (known !== undefined) return { status: err.statusCode, ...known, serverFault: false };
  return byStatus(err.statusCode, err.message);
}

// class-validator style messages begin with the property ("email must be an email",
// "property foo should not exist"); used for pipes built without our exceptionFactory.
function fieldErrorsFrom(messages: string[]): FieldError[] {
  return messages.map((message) => {
    const words = message.split(' ');
    const field = (words[0] === 'property' ? words[1] : words[0]) ?? '';
    return { field, message };
  });
}

function fromHttpException(exception: HttpException): MappedProblem {
  const fastify = asFastifyError(exception.cause);
  if (fastify !== undefined) return fromFastify(fastify);
  const status = exception.getStatus();
  const response = exception.getResponse();
  const message =
    typeof response === 'object' && response !== null
      ? (response as { message?: unknown }).message
      : response;
  if (status === 400 && Array.isArray(message) && message.every((m) => typeof m === 'string')) {
    return {
      status,
      code: 'VALIDATION_FAILED',
      detail: 'The request is invalid.',
      errors: fieldErrorsFrom(message),
      serverFault: false,
    };
  }
  return byStatus(status, typeof message === 'string' ? message : exception.message);
}

export function toProblem(exception: unknown): MappedProblem {
  if (
    isClientGone(exception) ||
    (exception instanceof HttpException && isClientGone(exception.cause))
  ) {
    return CLIENT_GONE;
  }
  if (exception instanceof AppError) {
    const serverFault = exception.status >= 500 && exception.code === 'INTERNAL';
    return {
      status: exception.status,
      code: exception.code,
      detail: serverFault ? INTERNAL_DETAIL : exception.message,
      errors: exception.errors,
      retryAfterSeconds: exception.retryAfterSeconds,
      extensions: exception.extensions,
      serverFault,
    };
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (isDatabaseUnavailable(exception)) return DATABASE_UNAVAILABLE;
  const fastify = asFastifyError(exception);
  if (fastify !== undefined) return fromFastify(fastify);
  return { status: 500, code: 'INTERNAL', detail: INTERNAL_DETAIL, serverFault: true };
}
