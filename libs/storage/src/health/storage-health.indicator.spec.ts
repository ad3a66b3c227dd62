import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { StorageMetrics } from '../metrics/storage-metrics.js';
import { StoragePolicy } from '../resilience/storage-policy.js';
import type { StorageService } from '../storage.service.js';
import { StorageHealthIndicator } from './storage-health.indicator.js';

const noMetrics: StorageMetrics = {
  observeCall: () => undefined,
  setCircuitState: () => undefined,
};
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** An indicator over a storage double that refuses connections while `down`. */
function setup(options: { backgroundProbe: boolean }) {
  const policy = new StoragePolicy(
    { callTimeoutMs: 200, consecutiveFailures: 2, halfOpenAfterMs: 60 },
    noMetrics,
  );
  const state = { down: true, calls: 0 };
  const storage = {
    headBucket: ({ timeoutMs }: { timeoutMs?: number } = {}) =>
      policy.execute(
        'HeadBucket',
        () => {
          state.calls++;
          return state.down ? Promise.reject(refused()) : Promise.resolve();
        },
        { timeoutMs },
      ),
  } as unknown as StorageService;
  const indicator = new StorageHealthIndicator(new HealthIndicatorService(), storage, policy);
  if (!options.backgroundProbe) policy.stopProbing();
  return { policy, state, indicator };
}

type Detail = { status: string; circuit?: string; retryAfterSeconds?: number };
const detail = async (indicator: StorageHealthIndicator): Promise<Detail> =>
  (await indicator.isHealthy('storage')).storage as Detail;

describe('StorageHealthIndicator', () => {
  it('recovers with nothing but readiness probes: the probe is the half-open trial', async () => {
    const { policy, state, indicator } = setup({ backgroundProbe: false });
    assert.equal((await detail(indicator)).status, 'down');
    assert.equal((await detail(indicator)).status, 'down');
    assert.equal(policy.circuitState, 'open');

    // Open: down at once, without calling storage, saying when the breaker tries again.
    const calls = state.calls;
    const open = await detail(indicator);
    assert.deepEqual(
      { status: open.status, circuit: open.circuit, retryAfterSeconds: open.retryAfterSeconds },
      { status: 'down', circuit: 'open', retryAfterSeconds: 1 },
    );
    assert.equal(state.calls, calls);

    state.down = false;
    await sleep(80);
    // The old indicator answered "down" here forever without asking storage.
    assert.deepEqual(await detail(indicator), { status: 'up', circuit: 'closed' });
    assert.equal(state.calls, calls + 1);
  });

  it('a failing trial leaves it down and open; the next one after halfOpenAfter succeeds', async () => {
    const { policy, state, indicator } = setup({ backgroundProbe: false });
    await detail(indicator);
    await detail(indicator);
    await sleep(80);
    assert.equal((await detail(indicator)).status, 'down');
    assert.equal(policy.circuitState, 'open');
    state.down = false;
    assert.equal((await detail(indicator)).circuit, 'open', 'still within halfOpenAfter');
    await sleep(80);
    assert.equal((await detail(indicator)).status, 'up');
  });

  it('registers the background probe: with no readiness probe at all the breaker closes', async () => {
    const { policy, state, indicator } = setup({ backgroundProbe: true });
    try {
      await detail(indicator);
      await detail(indicator);
      assert.equal(policy.circuitState, 'open');
      state.down = false;
      const circuit = (): string => policy.circuitState;
      const deadline = performance.now() + 1000;
      while (circuit() !== 'closed' && performance.now() < deadline) await sleep(5);
      assert.equal(circuit(), 'closed');
    } finally {
      indicator.onApplicationShutdown();
    }
  });
});
