import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, register } from 'prom-client';

interface Observer {
  observe(value: number): void;
}

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

export function httpDurationHistogram(): Histogram<'method' | 'route' | 'status_code'> {
  const existing = register.getSingleMetric(HTTP_DURATION_METRIC);
  if (existing instanceof Histogram) return existing;
  return new Histogram({
    name: HTTP_DURATION_METRIC,
    help: 'HTTP request duration in seconds, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
}

/** Observes every response's duration, labelled with the route template (`/v1/files/:fileId`). */
export function recordHttpMetrics(fastify: FastifyInstance): void {
  const histogram = httpDurationHistogram();
  // One labelled child per method, route and status (a bounded set: templates, not URLs), so a
  // request does not hash its label set again.
  const children = new Map<string, Observer>();
  fastify.addHook('onResponse', (request, reply, done) => {
    // routeOptions.url is the template; the not-found handler has no route of its own.
    const route = (request.is404 ? undefined : request.routeOptions.url) ?? UNMATCHED_ROUTE;
    const status = String(reply.statusCode);
    const key = `${request.method} ${status} ${route}`;
    let child = children.get(key);
    if (child === undefined) {
      child = histogram.labels({ method: request.method, route, status_code: status });
      children.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });
}
