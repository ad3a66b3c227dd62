import type { AppConfig } from '@app/config';
import type { NestApplicationOptions } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problemBody, problemHeaders } from '../errors/problem-response.js';
import { toProblem } from '../errors/to-problem.js';
import { answerClientError } from './client-error.js';
import { genReqId } from './request-id.js';

/** JSON bodies above this are refused with 413; file bytes never pass through the API. */
export const BODY_LIMIT_BYTES = 64 * 1024;

// A hop count means "trust the n nearest proxies", as Fastify itself implements it.
function trustProxyOption(
  value: AppConfig['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/**
 * NestFactory options for both apps: logs buffered until pino is in place; Nest's extra body
 * parsers (urlencoded) off, since the API speaks JSON only (Fastify parses it).
 */
export const HTTP_APP_OPTIONS: NestApplicationOptions = {
  bufferLogs: true,
  bodyParser: false,
  return503OnClosing: true,
};

// Errors Fastify raises before routing (a malformed URL such as /%E0%A4%A), which never reach
// Nest's exception layer; they get the same problem+json.
function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const problem = toProblem(error);
  void reply
    .status(problem.status)
    .headers(problemHeaders(problem, request.id))
    .send(problemBody(problem, request.id));
}

/** The Fastify adapter both apps run on: small bodies, bounded timeouts, sane request ids. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(config.trustProxy),
    // Our genReqId validates the client's x-request-id; Fastify must not take it verbatim.
    requestIdHeader: false,
    genReqId,
    // Slow or idle clients cannot hold sockets forever.
    connectionTimeout: 60_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    frameworkErrors: answerFrameworkError,
    // Requests Node's parser refuses (bad characters, conflicting framing, 431, 408) answered
    // in problem+json; the Host check moves to configureHttpApp for the same reason.
    clientErrorHandler: answerClientError,
    http: { requireHostHeader: false },
    logger: false,
    // No Express middleware anywhere (logging, helmet and CORS are Fastify hooks and plugins),
    // so Fastify runs without @fastify/middie's layer on every request.
    skipMiddie: true,
  });
}
