import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '@app/config';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { isClientGone } from '../errors/to-problem.js';

// Never written to logs, whatever object carries them.
const SECRET_KEYS = [
  'password',
  'newPassword',
  'refreshToken',
  'accessToken',
  'token',
  'secret',
  'secretAccessKey',
  'sessionToken',
  'privateKeyPem',
  'authorization',
];

// Never written to logs, at the top level of a log object or one level down.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-security-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
];

// Logged request shape: no headers, no body, and the path without its query string (query
// parameters may carry tokens or signatures).
type RawRequest = IncomingMessage & { id?: unknown; ip?: string; originalUrl?: string };

// Middie strips the mount path from req.url; originalUrl is what the client asked for.
const pathOf = (req: Partial<RawRequest>): string =>
  (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '';

// pino-http hands serializers its standard shape, with the original request as `raw`; other
// callers may log a bare request. Either way only these four fields are written.
interface SerializedRequest {
  id?: unknown;
  method?: string;
  remoteAddress?: string;
  raw?: RawRequest;
}

function serializeRequest(req: SerializedRequest | undefined): object {
  const raw: Partial<RawRequest> = req?.raw ?? (req as Partial<RawRequest> | undefined) ?? {};
  return {
    id: req?.id,
    method: req?.method,
    path: pathOf(raw),
    remoteAddress: raw.ip ?? req?.remoteAddress,
  };
}

function serializeResponse(res: { statusCode?: number } | undefined): object {
  return { statusCode: res?.statusCode };
}

/**
 * The level of a request's log line: error for server faults, warn for client errors, info
 * otherwise. A client that hung up before the answer was complete (a closed tab, a flaky
 * network) is info, whatever status the server had begun to send: there is no fault to chase.
 */
export function requestLogLevel(
  _req: IncomingMessage,
  res: Pick<ServerResponse, 'statusCode' | 'writableFinished'>,
  err?: Error,
): 'error' | 'warn' | 'info' {
  if (isClientGone(err) || (err === undefined && !res.writableFinished)) return 'info';
  if (err !== undefined || res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 ? 'warn' : 'info';
}

export function pinoHttpOptions(config: AppConfig, pretty: boolean): Options {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The request id Fastify derived from x-request-id (middie copies it to the raw request).
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? '',
    // Every line logged while serving a request carries its id at the top level.
    customProps: (req) => ({ reqId: (req as RawRequest).id }),
    serializers: { req: serializeRequest, res: serializeResponse },
    customLogLevel: requestLogLevel,
    // Health probes every few seconds would drown the useful lines.
    autoLogging: { ignore: (req) => pathOf(req).startsWith('/health/') },
    transport:
      pretty && config.logLevel !== 'silent'
        ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
        : undefined,
  };
}

/** nestjs-pino settings: structured JSON (pretty only on a terminal), request id on every line. */
export function loggerParams(config: AppConfig, pretty = process.stdout.isTTY): Params {
  return {
    pinoHttp: pinoHttpOptions(config, pretty),
    // nestjs-pino's default pattern ('{/*splat}') matches nothing under Nest 12 + Fastify, so
    // the request logger (and the request id on every line) would silently never run.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
  };
}
