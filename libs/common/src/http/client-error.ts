import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../errors/error-code.js';
import { problemBody, problemHeaders } from '../errors/problem-response.js';
import { isClientGone, type MappedProblem } from '../errors/to-problem.js';
import { requestIdFrom, REQUEST_ID_HEADER } from './request-id.js';

// What Node's HTTP parser (llhttp) or server reports on a request it cannot hand to Fastify.
const CLIENT_ERRORS: Readonly<Record<string, { status: number; code: ErrorCode; detail: string }>> =
  {
    ERR_HTTP_REQUEST_TIMEOUT: {
      status: 408,
      code: 'REQUEST_TIMEOUT',
      detail: 'The request was not received in time.',
    },
    HPE_HEADER_OVERFLOW: {
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      detail: 'The request headers are larger than the server accepts.',
    },
    HPE_INVALID_METHOD: {
      status: 400,
      code: 'BAD_REQUEST',
      detail: 'The request method is not recognized.',
    },
    HPE_INVALID_HEADER_TOKEN: {
      status: 400,
      code: 'BAD_REQUEST',
      detail: 'A header has characters HTTP does not allow.',
    },
    HPE_UNEXPECTED_CONTENT_LENGTH: {
      status: 400,
      code: 'BAD_REQUEST',
      detail: 'Content-Length and Transfer-Encoding cannot both be sent.',
    },
    HPE_INVALID_TRANSFER_ENCODING: {
      status: 400,
      code: 'BAD_REQUEST',
      detail: 'The Transfer-Encoding header is not valid.',
    },
  };

const MALFORMED = {
  status: 400,
  code: 'BAD_REQUEST',
  detail: 'The request is not valid HTTP.',
} as const;

const logger = new Logger('HttpClientError');

/** The problem a request the HTTP parser refused gets (status, code and detail). */
export function clientErrorProblem(error: { code?: string }): MappedProblem {
  const known = (error.code === undefined ? undefined : CLIENT_ERRORS[error.code]) ?? MALFORMED;
  return { ...known, serverFault: false };
}

/** A complete HTTP/1.1 problem+json response for a socket no request object exists for. */
export function rawProblemResponse(problem: MappedProblem, requestId: string): string {
  const body = JSON.stringify(problemBody(problem, requestId));
  const headers: Record<string, string> = {
    ...problemHeaders(problem, requestId),
    'content-length': String(Buffer.byteLength(body)),
    'x-content-type-options': 'nosniff',
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const reason = STATUS_CODES[problem.status] ?? '';
  return `HTTP/1.1 ${String(problem.status)} ${reason}\r\n${head.join('')}\r\n${body}`;
}

// Writes the problem and closes; end() flushes first, destroy() follows if the client never reads.
function endWithProblem(socket: Duplex, problem: MappedProblem, requestId: string): void {
  if (socket.writable) socket.end(rawProblemResponse(problem, requestId));
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Fastify `clientErrorHandler`: a request Node's parser refused (bad header characters,
 * conflicting framing, an unknown method, oversized headers, a timeout) gets the same
 * problem+json as every other error, with a fresh request id, and the connection closes.
 * These are a client's mistakes (or a scanner's), so they are logged at debug, without a stack.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (isClientGone(error) || socket.destroyed) {
    logger.debug({ code: error.code }, 'Client went away');
    socket.destroy();
    return;
  }
  const problem = clientErrorProblem(error);
  const requestId = randomUUID();
  logger.debug({ reqId: requestId, code: error.code, status: problem.status }, 'Malformed request');
  endWithProblem(socket, problem, requestId);
}

/**
 * Node's `connect` event (a CONNECT request): this server is no proxy. Without a listener
 * Node would drop the connection without a word.
 */
export function answerConnect(req: IncomingMessage, socket: Duplex): void {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  const problem: MappedProblem = {
    status: 400,
    code: 'BAD_REQUEST',
    detail: 'This server is not a proxy; CONNECT is refused.',
    serverFault: false,
  };
  logger.debug({ reqId: requestId }, 'CONNECT refused');
  endWithProblem(socket, problem, requestId);
}

/**
 * Node's `checkExpectation` (an `Expect` other than `100-continue`): 417 in problem+json
 * instead of Node's empty answer.
 */
export function answerUnmetExpectation(req: IncomingMessage, res: ServerResponse): void {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  const problem: MappedProblem = {
    status: 417,
    code: 'EXPECTATION_FAILED',
    detail: 'The Expect header asks for something this server does not do; send no Expect.',
    serverFault: false,
  };
  const body = JSON.stringify(problemBody(problem, requestId));
  res.writeHead(problem.status, { ...problemHeaders(problem, requestId), connection: 'close' });
  res.end(body);
}
