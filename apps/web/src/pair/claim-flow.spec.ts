import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { ApiError, type Api } from '../api/client';
import type { ActiveClaim, Problem } from '../api/types';
import { PollEnded, waitForApproval } from './claim-flow';

// The phone's wait for the owner's approval (RFC 8628 polling), on Node's fake clock: each poll's
// time is what the server would see.

const approved = { status: 'active', accessToken: 'device-token' } as unknown as ActiveClaim;

function problemError(status: number, code: string, extra: Partial<Problem> = {}, retry?: number) {
  const problem: Problem = {
    type: 'about:blank',
    title: code,
    status,
    detail: '',
    code,
    requestId: 'r1',
    ...extra,
  };
  return new ApiError(status, code, code, problem, retry);
}
const pending = (): ApiError => problemError(400, 'AUTHORIZATION_PENDING');

/**
 * An Api whose polls answer in turn from `answers`; it records when each poll was sent.
 * `clockAhead`: how far this device's clock runs ahead of the server's.
 */
function fakeApi(answers: Array<ApiError | ActiveClaim>, clockAhead = 0) {
  const at: number[] = [];
  const bodies: unknown[] = [];
  const unused = (): never => {
    throw new Error('not used by the poll');
  };
  const api: Api = {
    get: unused,
    patch: unused,
    del: unused,
    blob: unused,
    token: () => null,
    now: () => Date.now() - clockAhead,
    post: <T>(path: string, body?: unknown): Promise<T> => {
      assert.equal(path, '/v1/pairings/poll');
      at.push(Date.now());
      bodies.push(body);
      const answer = answers.shift() ?? pending();
      return answer instanceof ApiError ? Promise.reject(answer) : Promise.resolve(answer as T);
    },
  };
  return { api, at, bodies };
}

type Outcome = { value: ActiveClaim } | { error: unknown };

/** Runs the fake clock in 50 ms steps until the wait settles (or `limitMs` have passed). */
async function settle(promise: Promise<ActiveClaim>, limitMs = 10 * 60_000): Promise<Outcome> {
  let outcome: Outcome | undefined;
  promise.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  for (let t = 0; t <= limitMs && outcome === undefined; t += 50) {
    mock.timers.tick(50);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.ok(outcome !== undefined, 'the wait settled');
  return outcome;
}

const gaps = (at: number[]): number[] => at.map((t, i) => t - (i === 0 ? 0 : (at[i - 1] ?? 0)));
const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
afterEach(() => mock.timers.reset());

describe('waitForApproval', () => {
  test('polls no faster than the interval and hands over the token once approved', async () => {
    const { api, at, bodies } = fakeApi([pending(), pending(), approved]);
    const outcome = await settle(
      waitForApproval({
        api,
        pollSecret: 'ps-1',
        interval: 5,
        expiresAt: inAnHour(),
        signal: new AbortController().signal,
        onInterval: () => assert.fail('no SLOW_DOWN'),
      }),
    );
    assert.deepEqual(outcome, { value: approved });
    assert.equal(at.length, 3);
    for (const gap of gaps(at)) assert.ok(gap >= 5000 && gap < 6000, `gap ${String(gap)} ms`);
    assert.deepEqual(bodies[0], { pollSecret: 'ps-1' });
  });

  test('SLOW_DOWN adds 5 s to the interval for good, and says so (to survive a reload)', async () => {
    const { api, at } = fakeApi([
      problemError(400, 'SLOW_DOWN'),
      pending(),
      problemError(400, 'SLOW_DOWN'),
      approved,
    ]);
    const intervals: number[] = [];
    await settle(
      waitForApproval({
        api,
        pollSecret: 'ps',
        interval: 5,
        expiresAt: inAnHour(),
        signal: new AbortController().signal,
        onInterval: (s) => intervals.push(s),
      }),
    );
    assert.deepEqual(intervals, [10, 15]);
    const [first, second, third, fourth] = gaps(at);
    assert.ok(first !== undefined && first >= 5000 && first < 6000, `first ${String(first)}`);
    assert.ok(
      second !== undefined && second >= 10_000 && second < 11_000,
      `second ${String(second)}`,
    );
    assert.ok(third !== undefined && third >= 10_000 && third < 11_000, `third ${String(third)}`);
    assert.ok(
      fourth !== undefined && fourth >= 15_000 && fourth < 16_000,
      `fourth ${String(fourth)}`,
    );
  });

  test("SLOW_DOWN with the server's own interval waits that long if it is longer", async () => {
    const { api, at } = fakeApi([problemError(400, 'SLOW_DOWN', { interval: 30 }), approved]);
    const intervals: number[] = [];
    await settle(
      waitForApproval({
        api,
        pollSecret: 'ps',
        interval: 5,
        expiresAt: inAnHour(),
        signal: new AbortController().signal,
        onInterval: (s) => intervals.push(s),
      }),
    );
    assert.deepEqual(intervals, [30]);
    const second = gaps(at)[1] ?? 0;
    assert.ok(second >= 30_000 && second < 31_000, `second ${String(second)}`);
  });

  test('a rate limit or an outage is waited out (Retry-After at least), then polling goes on', async () => {
    const { api, at } = fakeApi([
      problemError(429, 'RATE_LIMITED', {}, 60),
      new ApiError(0, 'NETWORK', 'Failed to fetch'),
      problemError(503, 'SERVICE_UNAVAILABLE'),
      approved,
    ]);
    const outcome = await settle(
      waitForApproval({
        api,
        pollSecret: 'ps',
        interval: 5,
        expiresAt: inAnHour(),
        signal: new AbortController().signal,
        onInterval: () => assert.fail('no SLOW_DOWN'),
      }),
    );
    assert.deepEqual(outcome, { value: approved });
    const [, afterLimit, afterOffline, afterBusy] = gaps(at);
    assert.ok((afterLimit ?? 0) >= 60_000, `after 429: ${String(afterLimit)} ms`);
    // Offline or busy without Retry-After: one extra interval on top, never a tight loop.
    assert.ok((afterOffline ?? 0) >= 10_000, `after offline: ${String(afterOffline)} ms`);
    assert.ok((afterBusy ?? 0) >= 10_000, `after 503: ${String(afterBusy)} ms`);
  });

  for (const [status, code, reason] of [
    [403, 'FORBIDDEN', 'declined'],
    [401, 'UNAUTHENTICATED', 'expired'],
    [410, 'SESSION_EXPIRED', 'session_ended'],
  ] as const) {
    test(`a ${String(status)} ${code} ends the wait as "${reason}" and stops polling`, async () => {
      const { api, at } = fakeApi([pending(), problemError(status, code)]);
      const outcome = await settle(
        waitForApproval({
          api,
          pollSecret: 'ps',
          interval: 5,
          expiresAt: inAnHour(),
          signal: new AbortController().signal,
          onInterval: () => undefined,
        }),
      );
      assert.ok('error' in outcome && outcome.error instanceof PollEnded);
      assert.equal(outcome.error.reason, reason);
      assert.equal(at.length, 2);
    });
  }

  test('once the pairing has expired it ends as "expired" without another poll', async () => {
    const { api, at } = fakeApi([pending(), pending(), pending()]);
    const outcome = await settle(
      waitForApproval({
        api,
        pollSecret: 'ps',
        interval: 5,
        expiresAt: new Date(12_000).toISOString(),
        signal: new AbortController().signal,
        onInterval: () => undefined,
      }),
    );
    assert.ok('error' in outcome && outcome.error instanceof PollEnded);
    assert.equal(outcome.error.reason, 'expired');
    assert.equal(at.length, 2, 'polls at 5.25 s and 10.5 s, none after 12 s');
  });

  test("a phone clock 10 minutes fast still polls until approved (the server's clock decides)", async () => {
    const ahead = 10 * 60_000;
    const { api, at } = fakeApi([pending(), approved], ahead);
    const outcome = await settle(
      waitForApproval({
        api,
        pollSecret: 'ps',
        interval: 5,
        // Two minutes left by the server's clock, eight minutes ago by the phone's.
        expiresAt: new Date(Date.now() - ahead + 120_000).toISOString(),
        signal: new AbortController().signal,
        onInterval: () => undefined,
      }),
    );
    assert.deepEqual(outcome, { value: approved });
    assert.equal(at.length, 2);
  });

  test('leaving the page (abort) stops the wait at once', async () => {
    const { api, at } = fakeApi([]);
    const controller = new AbortController();
    const wait = waitForApproval({
      api,
      pollSecret: 'ps',
      interval: 5,
      expiresAt: inAnHour(),
      signal: controller.signal,
      onInterval: () => undefined,
    });
    mock.timers.tick(2000);
    controller.abort();
    const outcome = await settle(wait);
    assert.ok('error' in outcome && outcome.error instanceof DOMException);
    assert.equal(outcome.error.name, 'AbortError');
    assert.equal(at.length, 0);
  });
});
