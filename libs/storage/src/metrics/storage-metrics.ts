import { Gauge, Histogram, register } from 'prom-client';
import type { StorageOutcome } from '../resilience/failure-classifier.js';

const DURATION_NAME = 'storage_call_duration_seconds';
const CIRCUIT_NAME = 'storage_circuit_state';

/** Circuit state as exported on `storage_circuit_state`. */
export const CIRCUIT_GAUGE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

export interface StorageMetrics {
  observeCall(operation: string, outcome: StorageOutcome, seconds: number): void;
  setCircuitState(value: (typeof CIRCUIT_GAUGE_VALUE)[keyof typeof CIRCUIT_GAUGE_VALUE]): void;
}

// Several modules (or test apps) in one process may build the storage layer: reuse the
// registered collectors instead of letting prom-client throw on a duplicate name.
function durationHistogram(): Histogram<'operation' | 'outcome'> {
  const existing = register.getSingleMetric(DURATION_NAME);
  if (existing) return existing as Histogram<'operation' | 'outcome'>;
  return new Histogram({
    name: DURATION_NAME,
    help: 'Duration of storage (S3) calls, by operation and outcome',
    labelNames: ['operation', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
}

function circuitGauge(): Gauge {
  const existing = register.getSingleMetric(CIRCUIT_NAME);
  if (existing) return existing as Gauge;
  return new Gauge({
    name: CIRCUIT_NAME,
    help: 'Storage circuit breaker state: 0 closed, 1 half-open, 2 open',
  });
}

/** Storage metrics on prom-client's default registry. */
export function createStorageMetrics(): StorageMetrics {
  const duration = durationHistogram();
  // An unlabelled gauge starts at 0 (closed); not resetting it keeps another instance's state.
  const circuit = circuitGauge();
  return {
    observeCall: (operation, outcome, seconds) => duration.observe({ operation, outcome }, seconds),
    setCircuitState: (value) => circuit.set(value),
  };
}
