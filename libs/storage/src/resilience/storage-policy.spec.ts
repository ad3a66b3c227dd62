import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import {
  StorageObjectMissingError,
  StorageRequestRejectedError,
  StorageUnavailableError,
} from '../errors/storage-errors.js';
import type { StorageMetrics } from '../metrics/storage-metrics.js';
import type { StorageOutcome } from './failure-classifier.js';
import { StoragePolicy, type StoragePolicyOptions } from './storage-policy.js';

const meta = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1, totalRetryDelay: 0 });
const serviceError = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: meta(status),
  });
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'ECONNREFUSED',
    $metadata: { attempts: 1 },
  });

function recordingMetrics() {
  const calls: { operation: string; outcome: StorageOutcome }[] = [];
  const gauge: number[] = [];
  const metrics: StorageMetrics = {
    observeCall: (operation, outcome) => calls.push({ operation, outcome }),
    setCircuitState: (v) => gauge.push(v),
  };
  return { metrics, calls, gauge };
}

function makePolicy(overrides: Partial<StoragePolicyOptions> = {}) {
  const rec = recordingMetrics();
  const policy = new StoragePolicy(
    { callTimeoutMs: 200, consecutiveFailures: 3, halfOpenAfterMs: 100, ...overrides },
    rec.metrics,
  );
  return { policy, ...rec };
}

const failWith = (err: Error) => () => Promise.reject(err);

async function failTimes(policy: StoragePolicy, n: number, err: Error): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (let i = 0; i < n; i++) {
    seen.push(await policy.execute('HeadObject', failWith(err)).catch((e: unknown) => e));
  }
  return seen;
}

describe('StoragePolicy circuit breaker', () => {
  for (const [label, err] of [
    ['5xx answers', serviceError('InternalError', 500)],
    ['503 SlowDown', serviceError('SlowDown', 503)],
    ['connection refused', refused()],
  ] as const) {
    it(`opens after consecutive ${label}, then fails fast without calling storage`, async () => {
      const { policy, calls, gauge } = makePolicy();
      const errors = await failTimes(policy, 3, err);
      for (const e of errors) assert.ok(e instanceof StorageUnavailableError);
      assert.equal(policy.circuitState, 'open');
      assert.deepEqual(gauge.at(-1), 2);

      let called = false;
      const started = performance.now();
      const e = await policy
        .execute('HeadObject', () => {
          called = true;
          return Promise.resolve('never');
        })
        .catch((x: unknown) => x);
      assert.ok(performance.now() - started < 50);
      assert.equal(called, false);
      assert.ok(e instanceof StorageUnavailableError);
      assert.equal(e.code, 'STORAGE_UNAVAILABLE');
      assert.equal(e.status, 503);
      assert.ok((e.retryAfterSeconds ?? 0) >= 1);
      assert.equal(calls.at(-1)?.outcome, 'circuit_open');
    });
  }

  it('opens on timeouts: a call that never settles is cut off at the deadline', async () => {
    const { policy, calls } = makePolicy({ callTimeoutMs: 30 });
    let aborted = 0;
    const hang = (signal: AbortSignal) =>
      new Promise<never>(() => signal.addEventListener('abort', () => aborted++));
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const e = await policy.execute('HeadObject', hang).catch((x: unknown) => x);
      assert.ok(e instanceof StorageUnavailableError);
      assert.ok(performance.now() - started < 500, 'deadline honoured');
    }
    assert.equal(aborted, 3, 'the SDK call is aborted through its signal');
    assert.deepEqual(
      calls.map((c) => c.outcome),
      ['timeout', 'timeout', 'timeout'],
    );
    assert.equal(policy.circuitState, 'open');
  });

  it('never opens on 404s and maps them to a missing object', async () => {
    const { policy, calls } = makePolicy();
    const notFound = new NotFound({ message: 'Not Found', $metadata: meta(404) });
    const noSuchKey = new NoSuchKey({ message: 'no such key', $metadata: meta(404) });
    for (let i = 0; i < 20; i++) {
      const e = await policy
        .execute('HeadObject', failWith(i % 2 ? notFound : noSuchKey), { key: 'files/x' })
        .catch((x: unknown) => x);
      assert.ok(e instanceof StorageObjectMissingError);
      assert.equal(e.key, 'files/x');
    }
    assert.equal(policy.circuitState, 'closed');
    assert.ok(calls.every((c) => c.outcome === 'not_found'));
  });

  it('never opens on other 4xx answers, which surface as rejected requests', async () => {
    const { policy, calls } = makePolicy();
    const errors = await failTimes(policy, 10, serviceError('PreconditionFailed', 412));
    assert.equal(policy.circuitState, 'closed');
    const e = errors[0];
    assert.ok(e instanceof StorageRequestRejectedError);
    assert.equal(e.s3Code, 'PreconditionFailed');
    assert.equal(e.httpStatus, 412);
    assert.ok(calls.every((c) => c.outcome === 'client_error'));
  });

  it('a 4xx in between does not reset the count of infrastructure failures to open', async () => {
    const { policy } = makePolicy();
    await failTimes(policy, 2, serviceError('InternalError', 500));
    await failTimes(policy, 1, serviceError('NoSuchKey', 404));
    assert.equal(policy.circuitState, 'closed');
  });

  it('recovers by itself: after halfOpenAfter one probe goes through and closes it', async () => {
    const { policy, gauge } = makePolicy({ halfOpenAfterMs: 60 });
    await failTimes(policy, 3, refused());
    assert.equal(policy.circuitState, 'open');
    await sleep(80);
    assert.equal(await policy.execute('HeadBucket', () => Promise.resolve('ok')), 'ok');
    assert.equal(policy.circuitState, 'closed');
    assert.deepEqual(gauge.slice(-3), [2, 1, 0]);
  });

  it('a failed half-open probe opens it again', async () => {
    const { policy } = makePolicy({ halfOpenAfterMs: 60 });
    await failTimes(policy, 3, refused());
    await sleep(80);
    await failTimes(policy, 1, refused());
    assert.equal(policy.circuitState, 'open');
    const e = await policy.execute('HeadBucket', () => Promise.resolve(1)).catch((x: unknown) => x);
    assert.ok(e instanceof StorageUnavailableError);
  });

  it('while a half-open trial is in flight, other calls fail fast instead of queueing', async () => {
    const { policy, calls } = makePolicy({ halfOpenAfterMs: 40, callTimeoutMs: 300 });
    await failTimes(policy, 3, refused());
    await sleep(60);
    // The trial hangs (a storage that accepts and never answers) until its deadline.
    const hang = () => new Promise<never>(() => undefined);
    const trial = policy.execute('HeadObject', hang).catch((x: unknown) => x);
    assert.equal(policy.circuitState, 'half-open');

    let called = false;
    const started = performance.now();
    const e = await policy
      .execute('HeadBucket', () => {
        called = true;
        return Promise.resolve('never');
      })
      .catch((x: unknown) => x);
    assert.ok(performance.now() - started < 50, 'answered without waiting for the trial');
    assert.equal(called, false);
    assert.ok(e instanceof StorageUnavailableError);
    assert.equal(calls.at(-1)?.outcome, 'circuit_open');

    const trialError = await trial;
    assert.ok(trialError instanceof StorageUnavailableError, String(trialError));
    assert.equal(policy.circuitState, 'open', 'the failed trial opens it again');
  });

  it('Retry-After counts down to the half-open moment', async () => {
    let now = 1_000_000;
    const { metrics } = recordingMetrics();
    const policy = new StoragePolicy(
      { callTimeoutMs: 100, consecutiveFailures: 1, halfOpenAfterMs: 5000 },
      metrics,
      () => now,
    );
    await failTimes(policy, 1, refused());
    assert.equal(policy.retryAfterSeconds(), 5);
    now += 3500;
    assert.equal(policy.retryAfterSeconds(), 2);
    now += 1400;
    assert.equal(policy.retryAfterSeconds(), 1);
  });
});

// The bug behind issue 8: cockatiel half-opens only when a call is attempted, so a process with
// no storage traffic stayed open forever. These run with no call but the policy's own probe.
describe('StoragePolicy recovery without traffic', () => {
  /** A storage double: refuses connections while `down`, answers once it is back. */
  function fakeStorage(policy: StoragePolicy) {
    const state = { down: true, probes: 0 };
    const headBucket = () =>
      policy.execute('HeadBucket', () => {
        state.probes++;
        return state.down ? Promise.reject(refused()) : Promise.resolve('ok');
      });
    return { state, headBucket };
  }

  async function waitFor(what: string, condition: () => boolean, deadlineMs: number) {
    const deadline = performance.now() + deadlineMs;
    while (!condition()) {
      if (performance.now() > deadline) assert.fail(`${what} within ${String(deadlineMs)} ms`);
      await sleep(5);
    }
  }

  it('an opened breaker probes by itself, stays open while storage is down, closes once it is back', async () => {
    const { policy, gauge } = makePolicy({ halfOpenAfterMs: 50 });
    const storage = fakeStorage(policy);
    policy.probeWhileOpen(storage.headBucket);
    try {
      await failTimes(policy, 3, refused());
      assert.equal(policy.circuitState, 'open');

      // Each half-open delay brings one probe; while storage is down each one re-opens it.
      await waitFor(
        'two failed background probes',
        () => storage.state.probes >= 2 && policy.circuitState === 'open',
        1000,
      );
      assert.equal(policy.circuitState, 'open');
      assert.deepEqual(gauge.slice(-4), [1, 2, 1, 2]);

      storage.state.down = false;
      const back = performance.now();
      await waitFor('the breaker to close', () => policy.circuitState === 'closed', 1000);
      // At most one half-open delay (plus timer slack) after storage came back.
      assert.ok(performance.now() - back < 50 + 100, 'closed within about halfOpenAfter');
      assert.equal(gauge.at(-1), 0);

      // Closed again: no more background probes.
      const probes = storage.state.probes;
      await sleep(150);
      assert.equal(storage.state.probes, probes);
    } finally {
      policy.stopProbing();
    }
  });

  it('reopens and keeps probing when a half-open trial from a caller fails', async () => {
    const { policy } = makePolicy({ halfOpenAfterMs: 50 });
    const storage = fakeStorage(policy);
    policy.probeWhileOpen(storage.headBucket);
    try {
      await failTimes(policy, 3, refused());
      await sleep(60);
      // A caller wins the race for the trial and fails: the next opening schedules a probe.
      await failTimes(policy, 1, refused());
      assert.equal(policy.circuitState, 'open');
      storage.state.down = false;
      await waitFor('the breaker to close', () => policy.circuitState === 'closed', 1000);
    } finally {
      policy.stopProbing();
    }
  });

  it('without a registered probe nothing runs in the background; stopProbing ends it', async () => {
    const { policy } = makePolicy({ halfOpenAfterMs: 30 });
    const storage = fakeStorage(policy);
    await failTimes(policy, 3, refused());
    await sleep(80);
    assert.equal(storage.state.probes, 0);
    assert.equal(policy.circuitState, 'open');

    policy.probeWhileOpen(storage.headBucket);
    await waitFor('a probe once registered', () => storage.state.probes === 1, 500);
    policy.stopProbing();
    await sleep(100);
    assert.equal(storage.state.probes, 1);
  });
});

describe('StoragePolicy streaming calls', () => {
  const tick = (progress: () => void, times: number, everyMs: number) =>
    (async () => {
      for (let i = 0; i < times; i++) {
        await sleep(everyMs);
        progress();
      }
      return 'done';
    })();

  it('run past the call deadline while they make progress', async () => {
    const { policy, calls } = makePolicy({ callTimeoutMs: 100 });
    const started = performance.now();
    const result = await policy.executeStreaming('Read', (_signal, progress) =>
      tick(progress, 10, 30),
    );
    assert.equal(result, 'done');
    assert.ok(performance.now() - started > 250);
    assert.deepEqual(calls.at(-1), { operation: 'Read', outcome: 'success' });
  });

  it('fail as a timeout (aborting the call) once no progress comes for idleTimeoutMs', async () => {
    const { policy, calls } = makePolicy();
    let aborted = false;
    const e = await policy
      .executeStreaming(
        'Read',
        (signal, progress) => {
          signal.addEventListener('abort', () => (aborted = true));
          progress();
          return new Promise<never>(() => undefined);
        },
        { idleTimeoutMs: 50 },
      )
      .catch((x: unknown) => x);
    assert.ok(e instanceof StorageUnavailableError, String(e));
    assert.ok(aborted, 'the signal told the call to stop');
    assert.deepEqual(calls.at(-1), { operation: 'Read', outcome: 'timeout' });
  });

  it('count against the breaker, and fail at once unless it is closed (never the trial)', async () => {
    const { policy, calls } = makePolicy({ halfOpenAfterMs: 40 });
    for (let i = 0; i < 3; i++) {
      await policy.executeStreaming('Read', () => Promise.reject(refused())).catch(() => undefined);
    }
    assert.equal(policy.circuitState, 'open');
    await sleep(60);
    let called = false;
    const e = await policy
      .executeStreaming('Read', () => {
        called = true;
        return Promise.resolve(1);
      })
      .catch((x: unknown) => x);
    assert.ok(e instanceof StorageUnavailableError);
    assert.equal(called, false, 'a long read is never the half-open trial');
    assert.equal(calls.at(-1)?.outcome, 'circuit_open');
    // A cheap call is the trial and closes it; then streaming calls go through again.
    await policy.execute('HeadBucket', () => Promise.resolve('ok'));
    assert.equal(await policy.executeStreaming('Read', () => Promise.resolve(2)), 2);
  });
});
