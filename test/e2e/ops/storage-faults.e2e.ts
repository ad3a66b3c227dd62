// Storage that refuses connections or resets them mid-response, through a fault proxy: readiness
// turns 503, fails fast once the breaker is open, and recovers by itself with nothing but its
// probes. The scenario and its bounds: storage-fault-suite.ts.
import { describeStorageFaults } from './storage-fault-suite.js';

await describeStorageFaults('storage refusing or resetting connections, readiness probes only', [
  { mode: 'refuse' },
  { mode: 'reset', settings: { resetAfterBytes: 16 } },
]);
