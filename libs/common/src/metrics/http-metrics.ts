import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, register } from 'prom-client';
import { DurationHistogram } from './duration-histogram.js';

export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';
/** Route label of requests that matched no route (never the raw URL: unbounded cardinality). */
export const UNMATCHED_ROUTE = 'unmatched';

// Tests start several apps in one process: metrics live once, in the default registry.
let defaultsCollected = false;

/** Registers the default process metrics once per process. */
export function ensureDefaultMetrics(): void {
  if (defaultsCollected || register.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics();
  defaultsCollected = true;
}

export function httpDurationHistogram(): DurationHistogram {
  const existing = register.getSingleMetric(HTTP_DURATION_METRIC);
  if (existing instanceof DurationHistogram) return existing;
  return new DurationHistogram(
    HTTP_DURATION_METRIC,
    'HTTP request duration in seconds, by method, route template and status code.',
    ['method', 'route', 'status_code'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
}

/** Observes every response's duration, labelled with the route template (`/v1/files/:fileId`). */
export function recordHttpMetrics(fastify: FastifyInstance): void {
  const histogram = httpDurationHistogram();
  fastify.addHook('onResponse', (request, reply, done) => {
    // routeOptions.url is the template; the not-found handler has no route of its own. One
    // series per method, route and status: a bounded set (templates, not URLs).
    const route = (request.is404 ? undefined : request.routeOptions.url) ?? UNMATCHED_ROUTE;
    const child = histogram.series({
      method: request.method,
      route,
      status_code: String(reply.statusCode),
    });
    child.observe(reply.elapsedTime / 1000);
    done();
  });
}
