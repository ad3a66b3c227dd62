// The storage fault scenario shared by storage-faults.e2e.ts and hung-storage.e2e.ts (two files
// so the test runner runs them side by side; inside a file the faults run one after another,
// because the 100 ms bounds below do not survive several apps competing for one event loop).
//
// Through a TCP fault proxy in front of S3 (the devstack's, or a real one from S3_ENDPOINT),
// the API and the worker run with nothing but their readiness probe (every 500 ms) and must:
// turn /health/ready 503 within 10 s, answer every probe within 2 s, answer within 100 ms once
// the breaker is open, refuse a storage-backed request with 503 STORAGE_UNAVAILABLE +
// Retry-After in under 100 ms, and be ready again within halfOpenAfter + 5 s of the fault
// ending, without a restart (issue 8: readiness stayed 503 forever once the breaker had opened).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { defaultPolicyOptions } from '@app/storage';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import {
  targetOf,
  viaProxy,
  type FaultMode,
  type FaultSettings,
} from '../../support/fault-proxy.js';
import { probe, type Probe } from '../../support/probe.js';
import { startFaultRig, type FaultRig } from './fault-rig.js';
import { detailOf, measured, runFault, type ReadinessSample } from './fault-scenario.js';

// Short S3 timeouts keep each failing probe short, and a 2 s half-open wait (production: 5 s)
// keeps each recovery short; the bounds below follow whatever the config says.
const S3_ENV = {
  S3_CONNECT_TIMEOUT_MS: '400',
  S3_REQUEST_TIMEOUT_MS: '400',
  S3_MAX_ATTEMPTS: '1',
  S3_BREAKER_HALF_OPEN_MS: '2000',
};

export interface StorageFault {
  mode: FaultMode;
  settings?: FaultSettings;
  /** Keep the fault on this long once the breaker has been seen open. */
  holdMs?: number;
}

const storageOf = (s: ReadinessSample) => detailOf(s.body, 'storage');
const mongoOf = (s: ReadinessSample) => detailOf(s.body, 'mongo');

/** Declares one test per fault, each on its own proxy, API and worker. */
export async function describeStorageFaults(
  title: string,
  faults: readonly StorageFault[],
): Promise<void> {
  const backends: TestBackends = await startTestBackends();
  after(() => backends.stop());
  const skip = backends.s3.endpoint.startsWith('https:')
    ? 'a TCP proxy in front of an https S3 endpoint breaks its certificate check'
    : false;

  const startRig = (): Promise<FaultRig> =>
    startFaultRig(backends, {
      target: targetOf(backends.s3.endpoint),
      env: (proxy) => ({ ...S3_ENV, S3_ENDPOINT: viaProxy(backends.s3.endpoint, proxy) }),
    });

  describe(title, { skip }, () => {
    for (const { mode, settings, holdMs } of faults) {
      it(`${mode}: 503 fast, fails fast while open, ready again by itself when it ends`, async (t) => {
        const rig = await startRig();
        try {
          await scenario(t, rig, mode, settings, holdMs);
        } finally {
          await rig.stop();
        }
      });
    }
  });
}

async function scenario(
  t: { diagnostic(message: string): void },
  rig: FaultRig,
  mode: FaultMode,
  settings: FaultSettings | undefined,
  holdMs: number | undefined,
): Promise<void> {
  const halfOpenAfterMs = defaultPolicyOptions(rig.api.config.s3).halfOpenAfterMs;
  const headMissing = () => probe(`${rig.worker.baseUrl}/test-storage/objects/missing`);
  const started = performance.now();
  for (const p of rig.probers) p.start();
  for (const p of rig.probers) {
    const ready = await p.waitFor('ready', started, 10_000, (s) => s.status === 200);
    assert.equal(storageOf(ready)?.circuit, 'closed');
  }
  assert.deepEqual((await headMissing()).body, { exists: false });

  let refused: Probe | undefined;
  const run = await runFault({
    proxy: rig.proxy,
    probers: rig.probers,
    mode,
    settings,
    unreadyWithinMs: 10_000,
    breakerOpen: {
      match: (s) => s.status === 503 && storageOf(s)?.circuit === 'open',
      probes: 3,
      withinMs: 20_000,
    },
    holdMs,
    readyWithinMs: halfOpenAfterMs + 5_000,
    // The only request besides the probes, made while the breaker is open (so never its trial).
    whileOpen: async () => {
      refused = await headMissing();
    },
  });
  t.diagnostic(measured(run));
  const summary = JSON.stringify(run, (k, v: unknown) => (k === 'body' ? undefined : v));

  for (const p of rig.probers) {
    assert.ok(run.unreadyAfterMs[p.name] <= 10_000, `${p.name} unready: ${summary}`);
    assert.ok(run.slowestProbeMs[p.name] < 2_000, `${p.name} slowest probe: ${summary}`);
    const open = run.openProbesMs[p.name] ?? [];
    assert.ok(open.length >= 3, `${p.name} probes while open: ${summary}`);
    assert.ok(Math.max(...open) < 100, `${p.name} probes while open: ${summary}`);
    assert.ok(run.readyAfterMs[p.name] <= halfOpenAfterMs + 5_000, `${p.name}: ${summary}`);
    assert.equal(run.readyDuringFault[p.name], 0, `${p.name} flapped: ${summary}`);
    const unready = run.lastUnready[p.name];
    assert.equal(storageOf(unready)?.status, 'down');
    assert.equal(mongoOf(unready)?.status, 'up', 'only storage is down');
    const now = p.samples.at(-1);
    assert.equal(now?.status, 200);
    assert.equal(storageOf(now)?.circuit, 'closed');
  }

  assert.ok(refused !== undefined);
  assert.equal(refused.status, 503);
  assert.ok(refused.elapsedMs < 100, `storage-backed request took ${String(refused.elapsedMs)}`);
  assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal((refused.body as { code?: string }).code, 'STORAGE_UNAVAILABLE');
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= halfOpenAfterMs / 1000,
    `Retry-After ${String(retryAfter)}`,
  );
  // …and storage-backed requests work again, with nothing restarted.
  assert.deepEqual((await headMissing()).body, { exists: false });
}
