// Maps anything thrown while serving a request to the problem+json fields. Pure, so the whole
// mapping table is unit-tested without an HTTP server.
import { HttpException } from '@nestjs/common';
import { AppError, type FieldError } from './app-error.js';
import type { ErrorCode } from './error-code.js';

export interface MappedProblem {
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;
  /** A server fault: log it with its stack, show the client nothing of it. */
  serverFault: boolean;
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
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
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

function byStatus(status: number, clientDetail: string): MappedProblem {
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
  if (exception instanceof AppError) {
    const serverFault = exception.status >= 500 && exception.code === 'INTERNAL';
    return {
      status: exception.status,
      code: exception.code,
      detail: serverFault ? INTERNAL_DETAIL : exception.message,
      errors: exception.errors,
      retryAfterSeconds: exception.retryAfterSeconds,
      serverFault,
    };
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  const fastify = asFastifyError(exception);
  if (fastify !== undefined) return fromFastify(fastify);
  return { status: 500, code: 'INTERNAL', detail: INTERNAL_DETAIL, serverFault: true };
}
