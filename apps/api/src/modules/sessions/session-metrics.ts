import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';

const CREATED_NAME = 'sharexpress_sessions_created_total';
const CLOSED_NAME = 'sharexpress_sessions_closed_total';

// Several apps in one process (tests, two replicas in one runner) build this module: reuse the
// registered collector instead of letting prom-client throw on a duplicate name.
function counter(name: string, help: string): Counter {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Counter;
  return new Counter({ name, help });
}

/** Session counters on prom-client's default registry (served at /metrics). */
@Injectable()
export class SessionMetrics {
  private readonly created = counter(CREATED_NAME, 'Sessions created');
  private readonly closed = counter(CLOSED_NAME, 'Sessions closed by their owner');

  sessionCreated(): void {
    this.created.inc();
  }

  sessionClosed(): void {
    this.closed.inc();
  }
}
