import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startTestBackends, randomSuffix, type TestBackends } from '../../support/backends.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { getWithToken, postJson, uniqueEmail } from './auth-client.js';
import { RateLimitProbeModule } from './rate-limit-probe.module.js';

const LIMIT = 10;
const jwks = (app: TestApp, headers: Record<string, string> = {}) =>
  fetch(`${app.baseUrl}/.well-known/jwks.json`, { headers });

describe('auth: rate limits are shared by every replica', () => {
  let backends: TestBackends;

  before(async () => {
    backends = await startTestBackends();
  });
  after(async () => {
    await backends.stop();
  });

  /** Two API replicas on a database of their own: every test starts with a fresh budget. */
  async function replicas(t: TestContext): Promise<[TestApp, TestApp]> {
    const env = {
      MONGODB_URI: `${backends.mongoUri}/sx_shared_${randomSuffix()}`,
      RATE_LIMIT_MAX: String(LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: '60',
      RATE_LIMIT_AUTH_MAX: '3',
    };
    const apps = await Promise.all([
      startTestApp({ backends, env }),
      startTestApp({ backends, env }),
    ]);
    t.after(() => Promise.all(apps.map((app) => app.close())));
    return apps;
  }

  /** Spends the whole budget of this client, alternating between the replicas. */
  async function exhaust(a: TestApp, b: TestApp): Promise<void> {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await jwks(i % 2 === 0 ? a : b);
      statuses.push(res.status);
      assert.equal(res.headers.get('x-ratelimit-limit'), String(LIMIT));
      await res.body?.cancel();
    }
    assert.deepEqual(statuses, Array<number>(LIMIT).fill(200));
  }

  it('limits requests spread across two instances as one client budget', async (t) => {
    const [a, b] = await replicas(t);
    await exhaust(a, b);
    for (const app of [a, b]) {
      const res = await jwks(app);
      const problem = await expectProblem(res, 429, 'RATE_LIMITED');
      assert.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
      assert.ok(Number(res.headers.get('retry-after')) <= 60);
      assert.equal(problem.status, 429);
    }
  });

  it('does not let a spoofed X-Forwarded-For reset the limit without TRUST_PROXY', async (t) => {
    const [a, b] = await replicas(t);
    await exhaust(a, b);
    await expectProblem(await jwks(a, { 'x-forwarded-for': '203.0.113.7' }), 429, 'RATE_LIMITED');
    await expectProblem(await jwks(b, { 'x-forwarded-for': '198.51.100.1' }), 429, 'RATE_LIMITED');
  });

  it('keeps health probes out of the limit', async (t) => {
    const [a, b] = await replicas(t);
    // Probes beyond the budget neither count against it nor get refused once it is spent.
    for (let i = 0; i < 2 * LIMIT; i++) {
      assert.equal((await fetch(`${a.baseUrl}/health/live`)).status, 200);
    }
    await exhaust(a, b);
    await expectProblem(await jwks(a), 429, 'RATE_LIMITED');
    assert.equal((await fetch(`${a.baseUrl}/health/live`)).status, 200);
    assert.equal((await fetch(`${b.baseUrl}/health/live`)).status, 200);
  });
});

describe('auth: credentials are limited harder, per route', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '3', RATE_LIMIT_MAX: '1000' } });
  });
  after(async () => {
    await t.close();
  });

  it('refuses the 4th login attempt in the window, right password or not', async () => {
    const email = uniqueEmail();
    const password = 'correct horse battery staple';
    assert.equal((await postJson(t.baseUrl, '/v1/auth/register', { email, password })).status, 201);
    for (let i = 0; i < 3; i++) {
      const res = await postJson(t.baseUrl, '/v1/auth/login', { email, password: 'wrong guess' });
      await expectProblem(res, 401, 'UNAUTHENTICATED');
    }
    const blocked = await postJson(t.baseUrl, '/v1/auth/login', { email, password });
    await expectProblem(blocked, 429, 'RATE_LIMITED');
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    // Another credentials route has its own budget.
    const refresh = await postJson(t.baseUrl, '/v1/auth/refresh', { refreshToken: 'x' });
    await expectProblem(refresh, 401, 'UNAUTHENTICATED');
  });
});

describe('auth: the rate limit runs before authentication', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_MAX: '3' } });
  });
  after(async () => {
    await t.close();
  });

  it('counts and refuses an anonymous flood on a protected route, before any token check', async () => {
    // Were authentication first, every one of these would be a 401 and never counted.
    for (let i = 0; i < 3; i++) {
      await expectProblem(await getWithToken(t.baseUrl, '/v1/auth/me'), 401, 'UNAUTHENTICATED');
    }
    await expectProblem(await getWithToken(t.baseUrl, '/v1/auth/me'), 429, 'RATE_LIMITED');
    await expectProblem(
      await getWithToken(t.baseUrl, '/v1/auth/me', 'forged.token.value'),
      429,
      'RATE_LIMITED',
    );
  });
});

describe('rate limit: pairing polls have their own budget', () => {
  let t: TestApp;
  const post = (path: string): Promise<Response> =>
    fetch(`${t.baseUrl}/rate-probe/${path}`, { method: 'POST' });
  const statuses = async (path: string, count: number): Promise<number[]> => {
    const seen: number[] = [];
    for (let i = 0; i < count; i++) {
      const res = await post(path);
      seen.push(res.status);
      await res.body?.cancel();
    }
    return seen;
  };

  before(async () => {
    t = await startTestApp({
      env: { RATE_LIMIT_MAX: '1000', RATE_LIMIT_AUTH_MAX: '2', RATE_LIMIT_POLL_MAX: '5' },
      extraModules: [RateLimitProbeModule],
    });
  });
  after(async () => {
    await t.close();
  });

  it('allows RATE_LIMIT_POLL_MAX polls per client and route, then 429 with Retry-After', async () => {
    // More than the credentials limit (2) passes: polls are not held to it.
    assert.deepEqual(await statuses('poll', 5), [200, 200, 200, 200, 200]);
    const refused = await post('poll');
    await expectProblem(refused, 429, 'RATE_LIMITED');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    // Another poll route has its own budget; unmarked routes are not under the poll limit.
    assert.deepEqual(await statuses('other-poll', 1), [200]);
    assert.deepEqual(await statuses('plain', 8), Array<number>(8).fill(200));
  });

  it('keeps the credentials limit apart from the poll limit', async () => {
    assert.deepEqual(await statuses('credentials', 3), [200, 200, 429]);
  });
});

describe('auth: behind a trusted proxy, X-Forwarded-For names the client', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'loopback', RATE_LIMIT_MAX: '2' } });
  });
  after(async () => {
    await t.close();
  });

  it('counts each forwarded client separately', async () => {
    const client = (ip: string) => jwks(t, { 'x-forwarded-for': ip });
    assert.equal((await client('203.0.113.7')).status, 200);
    assert.equal((await client('203.0.113.7')).status, 200);
    await expectProblem(await client('203.0.113.7'), 429, 'RATE_LIMITED');
    assert.equal((await client('203.0.113.8')).status, 200);
  });
});
