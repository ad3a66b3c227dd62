// MongoDB faults, end to end, through a TCP fault proxy in front of MongoDB (the devstack's, or a
// real one from MONGODB_URI). For each fault the API and the worker run with nothing but their
// readiness probe (every 500 ms) and must: turn /health/ready 503 within 10 s naming mongo,
// answer every probe within 2 s, and be ready again within 5 s of the fault ending, without a
// restart: the driver's monitor, pool and server selection must not stay stuck after an outage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import {
  targetOf,
  viaProxy,
  type FaultMode,
  type FaultSettings,
} from '../../support/fault-proxy.js';
import { startFaultRig, type FaultRig } from './fault-rig.js';
import { detailOf, measured, runFault, type ReadinessSample } from './fault-scenario.js';

// MongoDB has no circuit breaker of ours: once the fault ends, the driver must find the server
// again by itself (its monitor, woken by the probes' server selection).
const READY_AGAIN_WITHIN_MS = 5_000;

const FAULTS: { mode: FaultMode; settings?: FaultSettings }[] = [
  { mode: 'refuse' },
  { mode: 'hang' },
  { mode: 'reset', settings: { resetAfterBytes: 16 } },
  // Every chunk arrives after the readiness ping's 1 s bound. The worker's jobs keep commands in
  // flight when the fault ends and every socket closes at once: the case that left the driver's
  // monitor hung for good before the write guard (libs/database/src/health/driver-write-guard.ts).
  { mode: 'slow', settings: { delayMs: 1_500 } },
];
// Each fault lasts this long after readiness turned 503, so pools and monitors really break.
const HOLD_MS = 6_000;

const backends: TestBackends = await startTestBackends();
after(() => backends.stop());

let skip: string | false = false;
try {
  targetOf(backends.mongoUri);
} catch (err) {
  skip = `MONGODB_URI cannot be proxied: ${(err as Error).message}`;
}

// Both apps share one database, reached through the proxy; it is dropped directly at the end.
function startRig(): Promise<FaultRig> {
  const directUri = `${backends.mongoUri}/sx_${randomSuffix()}`;
  return startFaultRig(backends, {
    target: targetOf(backends.mongoUri),
    env: (proxy) => ({ MONGODB_URI: viaProxy(directUri, proxy) }),
    databases: [directUri],
  });
}

const mongoOf = (s: ReadinessSample) => detailOf(s.body, 'mongo');
const storageOf = (s: ReadinessSample) => detailOf(s.body, 'storage');

describe(
  'MongoDB faults through a proxy, readiness probes only',
  { skip, concurrency: true },
  () => {
    const rigs = new Map<FaultMode, FaultRig>();

    // Every app boots before any fault starts, so no boot stalls another scenario's timings.
    before(async () => {
      for (const { mode } of FAULTS) rigs.set(mode, await startRig());
    });
    after(async () => {
      for (const rig of rigs.values()) await rig.stop();
    });

    for (const { mode, settings } of FAULTS) {
      it(`${mode}: 503 naming mongo, every probe within 2 s, ready again by itself`, async (t) => {
        const rig = rigs.get(mode);
        assert.ok(rig !== undefined);
        const started = performance.now();
        for (const p of rig.probers) p.start();
        for (const p of rig.probers) {
          await p.waitFor('ready', started, 10_000, (s) => s.status === 200);
        }

        const run = await runFault({
          proxy: rig.proxy,
          probers: rig.probers,
          mode,
          settings,
          unreadyWithinMs: 10_000,
          holdMs: HOLD_MS,
          readyWithinMs: READY_AGAIN_WITHIN_MS,
        });
        t.diagnostic(measured(run));
        const summary = JSON.stringify(run, (k, v: unknown) => (k === 'body' ? undefined : v));

        for (const p of rig.probers) {
          assert.ok(run.unreadyAfterMs[p.name] <= 10_000, `${p.name} unready: ${summary}`);
          assert.ok(run.slowestProbeMs[p.name] < 2_000, `${p.name} slowest probe: ${summary}`);
          assert.ok(run.readyAfterMs[p.name] <= READY_AGAIN_WITHIN_MS, `${p.name}: ${summary}`);
          const unready = run.lastUnready[p.name];
          assert.equal(mongoOf(unready)?.status, 'down');
          assert.equal(storageOf(unready)?.status, 'up', 'only mongo is down');
          assert.equal(run.readyDuringFault[p.name], 0, `${p.name} flapped: ${summary}`);
          assert.equal(p.samples.at(-1)?.status, 200);
        }
      });
    }
  },
);
