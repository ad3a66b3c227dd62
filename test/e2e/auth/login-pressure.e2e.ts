// Issue 10, finding 3: password hashing under pressure. A burst beyond the hashing queue is
// refused at once with 503 instead of queueing for seconds, and failed logins are limited per
// account across client addresses, with a delay that a good login ends.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { PASSWORD, register, uniqueEmail } from './auth-client.js';

// Each request comes from its own address (TRUST_PROXY=true believes X-Forwarded-For), so the
// per-address credentials limit never kicks in: only the limits under test can refuse.
const loginFrom = (
  app: TestApp,
  address: string,
  email: string,
  password: string,
): Promise<Response> =>
  fetch(`${app.baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ email, password }),
  });

const statuses = (responses: Response[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const res of responses) counts[res.status] = (counts[res.status] ?? 0) + 1;
  return counts;
};

async function app(t: TestContext, env: Record<string, string>): Promise<TestApp> {
  const started = await startTestApp({ env: { TRUST_PROXY: 'true', ...env } });
  t.after(() => started.close());
  return started;
}

describe('auth: password hashing has a bounded queue', () => {
  it('answers a burst beyond running + queued with 503 CREDENTIALS_BUSY at once', async (t) => {
    // Production cost: one derivation takes a few hundred ms, far longer than the burst takes
    // to arrive, so exactly 1 runs, 1 waits and the other 6 find the queue full.
    const a = await app(t, {
      PASSWORD_SCRYPT_LOG2N: '17',
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE: '1',
    });
    const started = Date.now();
    const timed = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const res = await loginFrom(a, `198.51.100.${String(i + 1)}`, uniqueEmail(), PASSWORD);
        return { res, ms: Date.now() - started };
      }),
    );
    const responses = timed.map((r) => r.res);
    assert.deepEqual(statuses(responses), { 401: 2, 503: 6 });
    const busy = timed.filter((r) => r.res.status === 503);
    const checked = timed.filter((r) => r.res.status === 401);
    for (const { res } of busy) {
      await expectProblem(res, 503, 'CREDENTIALS_BUSY');
      assert.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
    }
    for (const { res } of checked) await res.body?.cancel();
    // Refusals do not wait for a hash: they all came back before the first check finished.
    const fastestCheck = Math.min(...checked.map((r) => r.ms));
    assert.ok(
      busy.every((r) => r.ms < fastestCheck),
      `busy ${JSON.stringify(busy.map((r) => r.ms))}, checked ${JSON.stringify(checked.map((r) => r.ms))}`,
    );
    // Once the burst is over, the next login is checked again.
    await expectProblem(
      await loginFrom(a, '198.51.100.99', uniqueEmail(), PASSWORD),
      401,
      'UNAUTHENTICATED',
    );
  });
});

describe('auth: failed logins are limited per account, shared by every address', () => {
  const LIMITS = {
    LOGIN_FREE_FAILURES: '3',
    LOGIN_DELAY_BASE_SECONDS: '1',
    LOGIN_DELAY_MAX_SECONDS: '4',
    PASSWORD_HASH_QUEUE: '64',
  };

  const burst = (a: TestApp, email: string, password: string, n: number, from = 0) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        loginFrom(a, `203.0.113.${String(from + i + 1)}`, email, password),
      ),
    );

  it('checks exactly free + 1 of a concurrent guessing burst from many addresses; the rest get 429 without a hash', async (t) => {
    const a = await app(t, LIMITS);
    const email = uniqueEmail();
    await register(a.baseUrl, email);
    const responses = await burst(a, email, 'wrong password', 10);
    assert.deepEqual(statuses(responses), { 401: 4, 429: 6 });
    for (const res of responses.filter((r) => r.status === 429)) {
      const problem = await expectProblem(res, 429, 'LOGIN_DELAYED');
      assert.doesNotMatch(problem.detail, /exist/i);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 4, `Retry-After ${String(retryAfter)}`);
    }
    // During the delay even the right password is refused, from any address.
    await expectProblem(await loginFrom(a, '192.0.2.1', email, PASSWORD), 429, 'LOGIN_DELAYED');
  });

  it('treats an unknown email exactly like a known one (no account oracle)', async (t) => {
    const a = await app(t, LIMITS);
    const responses = await burst(a, uniqueEmail(), 'wrong password', 10);
    assert.deepEqual(statuses(responses), { 401: 4, 429: 6 });
  });

  it('lets the owner in once the delay has passed, and a good login resets the count', async (t) => {
    const a = await app(t, LIMITS);
    const email = uniqueEmail();
    await register(a.baseUrl, email);
    assert.deepEqual(statuses(await burst(a, email, 'wrong password', 4)), { 401: 4 });
    const delayed = await loginFrom(a, '192.0.2.1', email, PASSWORD);
    await expectProblem(delayed, 429, 'LOGIN_DELAYED');
    const wait = Number(delayed.headers.get('retry-after'));
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
    const good = await loginFrom(a, '192.0.2.1', email, PASSWORD);
    assert.equal(good.status, 200, await good.text());
    // Reset: the free failures are free again.
    assert.deepEqual(statuses(await burst(a, email, 'wrong password', 3, 20)), { 401: 3 });
  });

  it('grows the delay exponentially up to its cap, never beyond', async (t) => {
    const a = await app(t, { ...LIMITS, LOGIN_FREE_FAILURES: '1' });
    const email = uniqueEmail();
    await register(a.baseUrl, email);
    const seen: number[] = [];
    // Failure 1 is free; failures 2, 3, 4, 5 are followed by 1, 2, 4, 4 (capped) seconds.
    await expectProblem(await loginFrom(a, '192.0.2.10', email, 'wrong'), 401, 'UNAUTHENTICATED');
    for (let i = 0; i < 4; i++) {
      await expectProblem(await loginFrom(a, '192.0.2.11', email, 'wrong'), 401, 'UNAUTHENTICATED');
      const delayed = await loginFrom(a, '192.0.2.12', email, 'wrong');
      await expectProblem(delayed, 429, 'LOGIN_DELAYED');
      const retryAfter = Number(delayed.headers.get('retry-after'));
      seen.push(retryAfter);
      if (i < 3) await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 50));
    }
    assert.deepEqual(seen, [1, 2, 4, 4]);
  });
});
