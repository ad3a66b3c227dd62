import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError, EXIT } from '../core/errors.ts';
import type { Clock, Requester } from './clock.ts';
import { waitForApproval } from './poll.ts';
import type { ActiveClaim } from './types.ts';

const approved = { status: 'active', accessToken: 't' } as unknown as ActiveClaim;

/** A clock that only moves when the code under test sleeps, recording every wait. */
function fakeClock(): Clock & { waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

/** Answers each poll with the next scripted outcome: an error to throw, or the claim. */
function scriptedApi(
  clock: Clock,
  script: Array<CliError | ActiveClaim>,
): Requester & { at: number[] } {
  const at: number[] = [];
  return {
    at,
    request: async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      await Promise.resolve();
      assert.equal(method, 'POST');
      assert.equal(path, '/v1/pairings/poll');
      assert.deepEqual(body, { pollSecret: 'ps' });
      at.push(clock.now());
      const next = script.shift();
      if (next === undefined) throw new Error('polled more often than scripted');
      if (next instanceof CliError) throw next;
      return next as T;
    },
  };
}

const problem = (code: string, exitCode: number = EXIT.FAILURE): CliError =>
  new CliError(code, exitCode, code);

function poll(clock: Clock, api: Requester, extra: { intervals?: number[] } = {}) {
  return waitForApproval({
    api,
    clock,
    pollSecret: 'ps',
    interval: 5,
    deviceName: 'laptop (terminal)',
    onInterval: (s) => extra.intervals?.push(s),
  });
}

describe('waitForApproval (RFC 8628 polling)', () => {
  it('waits the interval before each poll and returns the token once approved', async () => {
    const clock = fakeClock();
    const api = scriptedApi(clock, [
      problem('AUTHORIZATION_PENDING'),
      problem('AUTHORIZATION_PENDING'),
      approved,
    ]);
    assert.equal(await poll(clock, api), approved);
    // Never sooner than 5 s apart, the first one 5 s after the claim.
    assert.deepEqual(api.at, [5250, 10500, 15750]);
  });

  it('adds 5 s to the interval after each SLOW_DOWN, and keeps the slower pace', async () => {
    const clock = fakeClock();
    const intervals: number[] = [];
    const api = scriptedApi(clock, [
      problem('SLOW_DOWN'),
      problem('AUTHORIZATION_PENDING'),
      problem('SLOW_DOWN'),
      approved,
    ]);
    await poll(clock, api, { intervals });
    assert.deepEqual(clock.waits, [5250, 10250, 10250, 15250]);
    assert.deepEqual(intervals, [5, 10, 15]);
  });

  it('waits out a rate limit for its Retry-After, then goes back to the interval', async () => {
    const clock = fakeClock();
    const limited = Object.assign(problem('RATE_LIMITED', EXIT.LIMITED), { retryAfter: 42 });
    const api = scriptedApi(clock, [limited, problem('AUTHORIZATION_PENDING'), approved]);
    await poll(clock, api);
    assert.deepEqual(clock.waits, [5250, 42250, 5250]);
  });

  it('keeps polling through network errors and 503s', async () => {
    const clock = fakeClock();
    const api = scriptedApi(clock, [
      new CliError('Cannot reach', EXIT.UNAVAILABLE, 'NETWORK'),
      problem('DATABASE_UNAVAILABLE', EXIT.UNAVAILABLE),
      approved,
    ]);
    assert.equal(await poll(clock, api), approved);
    assert.equal(api.at.length, 3);
    // An outage never makes it poll faster than the interval.
    assert.ok(clock.waits.every((ms) => ms >= 5250));
  });

  it('ends with exit 3 when the owner declines', async () => {
    const clock = fakeClock();
    const api = scriptedApi(clock, [problem('AUTHORIZATION_PENDING'), problem('FORBIDDEN')]);
    await assert.rejects(poll(clock, api), (error: CliError) => {
      assert.equal(error.exitCode, EXIT.AUTH);
      assert.match(error.message, /The owner declined this device/);
      return true;
    });
  });

  it('ends with exit 6 when the wait expires or the session ends', async () => {
    for (const code of ['UNAUTHENTICATED', 'SESSION_EXPIRED']) {
      const clock = fakeClock();
      const api = scriptedApi(clock, [
        problem(code, code === 'UNAUTHENTICATED' ? EXIT.AUTH : EXIT.GONE),
      ]);
      await assert.rejects(poll(clock, api), (error: CliError) => error.exitCode === EXIT.GONE);
    }
  });

  it('passes any other error on', async () => {
    const clock = fakeClock();
    const api = scriptedApi(clock, [problem('VALIDATION_FAILED')]);
    await assert.rejects(poll(clock, api), (error: CliError) => error.code === 'VALIDATION_FAILED');
  });
});
