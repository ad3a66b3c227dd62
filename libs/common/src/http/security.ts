import type { AppConfig } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCors from '@fastify/cors';
import helmet, { type HelmetOptions } from 'helmet';
import { REQUEST_ID_HEADER } from './request-id.js';

// An API answers JSON; the only HTML is Swagger UI at /docs, which loads its scripts from
// 'self' and needs inline styles and data: images.
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  // A JSON API is never embedded; HSTS only matters behind TLS, where it is right.
  crossOriginResourcePolicy: { policy: 'same-site' },
};

/**
 * The headers helmet sets with `options`, worked out once. Our options hold no per-request
 * value (no nonces, no functions), so helmet's answer is the same for every request; asking it
 * per request (what @fastify/helmet does) rebuilt and re-parsed the whole policy each time.
 */
export function helmetHeaders(options: HelmetOptions = HELMET_OPTIONS): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  let failure: Error | undefined;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err !== undefined) failure = err instanceof Error ? err : new Error('helmet refused');
  });
  if (failure !== undefined) throw failure;
  return [...headers];
}

/** Helmet's security headers and a CORS allow-list (foreign origins get no allow-origin). */
export function applySecurity(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const headers = helmetHeaders();
  // onRequest, where helmet set them, so that every answer carries them (errors, 404s, the SSE
  // head that copies the reply's headers), and a route may still replace one (the web client's
  // CSP). On the reply rather than the raw response (what helmet did): Node then checks each
  // header once, when Fastify writes the head, instead of twice.
  fastify.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.header(name, value);
    done();
  });
  const allowed = new Set(config.corsOrigins);
  // @fastify/cors as a plugin of its own, not app.enableCors(): Nest's wrapper runs the same
  // hook and then copies every reply header to the raw response on each request, for Express
  // middleware that this app does not have. Not awaited: Fastify then loads it at ready(), after
  // Nest has set its error handler, so the preflight route it adds answers errors (a malformed
  // body to OPTIONS) through the exception filter like every other route.
  void fastify.register(fastifyCors, {
    origin: (origin, callback) => {
      callback(null, origin !== undefined && allowed.has(origin));
    },
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', REQUEST_ID_HEADER],
    exposedHeaders: [REQUEST_ID_HEADER, 'retry-after'],
    maxAge: 600,
  });
}
