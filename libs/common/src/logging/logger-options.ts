import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '@app/config';
import type { Params } from 'nestjs-pino';
import type { Options } from 'pino-http';

// Never written to logs, whatever object carries them.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-security-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.secretAccessKey',
  '*.privateKeyPem',
];

// Logged request shape: no headers, no body, and the path without its query string (query
// parameters may carry tokens or signatures).
function serializeRequest(req: IncomingMessage & { id?: unknown; ip?: string }): object {
  return {
    id: req.id,
    method: req.method,
    path: (req.url ?? '').split('?')[0],
    remoteAddress: req.ip ?? req.socket.remoteAddress,
  };
}

function serializeResponse(res: ServerResponse): object {
  return { statusCode: res.statusCode };
}

export function pinoHttpOptions(config: AppConfig, pretty: boolean): Options {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The request id Fastify derived from x-request-id (middie copies it to the raw request).
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? '',
    customAttributeKeys: { reqId: 'reqId' },
    serializers: { req: serializeRequest, res: serializeResponse },
    customLogLevel: (_req, res, err) =>
      err !== undefined || res.statusCode >= 500
        ? 'error'
        : res.statusCode >= 400
          ? 'warn'
          : 'info',
    // Health probes every few seconds would drown the useful lines.
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
    transport:
      pretty && config.logLevel !== 'silent'
        ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
        : undefined,
  };
}

/** nestjs-pino settings: structured JSON (pretty only on a terminal), request id on every line. */
export function loggerParams(config: AppConfig, pretty = process.stdout.isTTY): Params {
  return { pinoHttp: pinoHttpOptions(config, pretty) };
}
