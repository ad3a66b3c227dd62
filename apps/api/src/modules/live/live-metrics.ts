import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';
import type { EndReason } from './sse-frames.js';

// Tail queries take milliseconds; a slow database shows in the upper buckets.
const QUERY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

// Several apps in one process (tests) build this provider: reuse collectors by name.
function shared<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

/** Live-updates metrics on prom-client's default registry (served at /metrics). */
@Injectable()
export class LiveMetrics {
  private readonly open = shared(
    'sharexpress_live_streams',
    () => new Gauge({ name: 'sharexpress_live_streams', help: 'Open event streams (SSE)' }),
  );
  private readonly sent = shared(
    'sharexpress_live_events_sent_total',
    () =>
      new Counter({
        name: 'sharexpress_live_events_sent_total',
        help: 'Session events written to event streams (one per stream that received it)',
      }),
  );
  private readonly ended = shared(
    'sharexpress_live_streams_ended_total',
    () =>
      new Counter({
        name: 'sharexpress_live_streams_ended_total',
        help: 'Event streams that ended, by reason (disconnected: the client went away or read too slowly)',
        labelNames: ['reason'],
      }),
  );
  private readonly refused = shared(
    'sharexpress_live_streams_refused_total',
    () =>
      new Counter({
        name: 'sharexpress_live_streams_refused_total',
        help: 'Event streams refused with 429 TOO_MANY_STREAMS, by cap (process, session)',
        labelNames: ['cap'],
      }),
  );
  private readonly queries = shared(
    'sharexpress_live_tail_query_seconds',
    () =>
      new Histogram({
        name: 'sharexpress_live_tail_query_seconds',
        help: 'Duration of the tail queries (one per tick for all open streams of the process), by outcome',
        labelNames: ['outcome'],
        buckets: QUERY_BUCKETS,
      }),
  );

  streamOpened(): void {
    this.open.inc();
  }

  streamEnded(reason: EndReason | 'disconnected'): void {
    this.open.dec();
    this.ended.inc({ reason });
  }

  eventSent(): void {
    this.sent.inc();
  }

  streamRefused(cap: 'process' | 'session'): void {
    this.refused.inc({ cap });
  }

  tailQuery(seconds: number, outcome: 'ok' | 'error'): void {
    this.queries.observe({ outcome }, seconds);
  }
}
