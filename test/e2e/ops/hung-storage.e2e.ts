// Storage that accepts connections and never answers, or answers too slowly, through a fault
// proxy: every readiness probe still answers within its bound, fails fast once the breaker is
// open, and recovers by itself with nothing but its probes. The scenario: storage-fault-suite.ts.
import { describeStorageFaults } from './storage-fault-suite.js';

await describeStorageFaults('hung or slow storage, readiness probes only', [
  // Held past one half-open delay: the breaker's trial against a hung storage must neither
  // close it nor slow readiness down.
  { mode: 'hang', holdMs: 4_500 },
  // Every chunk arrives after the per-attempt timeout (S3_REQUEST_TIMEOUT_MS).
  { mode: 'slow', settings: { delayMs: 1_000 } },
]);
