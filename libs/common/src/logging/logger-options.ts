import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '@app/config';
import type { Params } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { stdoutDestination } from './log-destination.js';
import { requestLogFields } from './request-context.js';
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

/** The four fields a request is logged with (the access log and any logged request object). */
export function serializeRequest(req: SerializedRequest | undefined): object {
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

/**
 * The root logger's options: level, redaction and the request serializer (pino-http builds the
 * logger from them; its per-request middleware is not mounted, see loggerParams).
 */
export function pinoHttpOptions(config: AppConfig, pretty: boolean): Options {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest, res: serializeResponse },
    // Every line logged while serving a request carries its id at the top level.
    mixin: requestLogFields,
    transport:
      pretty && config.logLevel !== 'silent'
        ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
        : undefined,
  };
}

/**
 * nestjs-pino settings: structured JSON (pretty only on a terminal), request id on every line.
 * nestjs-pino provides Nest's logger over the one root pino logger; the access log and the
 * request scope are Fastify hooks (useRequestLogging), so no middleware route is given and
 * Fastify runs without the Express-middleware layer.
 *
 * Lines go to stdout through an asynchronous destination: under load it joins the lines written
 * while a write is in flight into one, instead of one blocking write per line; idle, each line
 * leaves at once; a stdout that stops keeping up gets its lines dropped and counted past a bound
 * (stdoutDestination). pino flushes it synchronously when the process exits.
 */
export function loggerParams(config: AppConfig, pretty = process.stdout.isTTY): Params {
  const options = pinoHttpOptions(config, pretty);
  const usesTransport = options.transport !== undefined;
  return {
    pinoHttp: usesTransport ? options : [options, stdoutDestination()],
    forRoutes: [],
  };
}
