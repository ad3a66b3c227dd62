import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MongoClient } from 'mongodb';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  getWithToken,
  login,
  PASSWORD,
  postJson,
  register,
  signUp,
  uniqueEmail,
  type TokenPair,
} from './auth-client.js';

describe('auth: accounts, login, refresh rotation, logout', () => {
  let t: TestApp;

  before(async () => {
    // The credentials limit has its own spec (rate-limits.e2e.ts); this one makes many logins.
    t = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '1000' } });
  });
  after(async () => {
    await t.close();
  });

  it('registers an account and never returns its hash', async () => {
    const email = uniqueEmail();
    const res = await postJson(t.baseUrl, '/v1/auth/register', {
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
      displayName: 'Ada',
    });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    const { user } = JSON.parse(text) as { user: Record<string, unknown> };
    assert.deepEqual(Object.keys(user).sort(), ['createdAt', 'displayName', 'email', 'id']);
    assert.equal(user.email, email);
    assert.equal(user.displayName, 'Ada');
    assert.ok(!Number.isNaN(Date.parse(String(user.createdAt))));
    assert.doesNotMatch(text, /scrypt|passwordHash/);
  });

  it('refuses a second account for the same email in any case with 409', async () => {
    const email = uniqueEmail();
    await register(t.baseUrl, email);
    const res = await postJson(t.baseUrl, '/v1/auth/register', {
      email: email.toUpperCase(),
      password: PASSWORD,
    });
    await expectProblem(res, 409, 'CONFLICT');
  });

  it('refuses passwords outside 8..128 characters and malformed emails with 400', async () => {
    for (const body of [
      { email: uniqueEmail(), password: 'short' },
      { email: uniqueEmail(), password: 'x'.repeat(129) },
      { email: 'not-an-email', password: PASSWORD },
      { email: uniqueEmail(), password: PASSWORD, role: 'admin' },
    ]) {
      await expectProblem(
        await postJson(t.baseUrl, '/v1/auth/register', body),
        400,
        'VALIDATION_FAILED',
      );
    }
  });

  it('logs in and answers me', async () => {
    const email = uniqueEmail();
    await register(t.baseUrl, email);
    const pair = await login(t.baseUrl, email.toUpperCase());
    assert.equal(pair.tokenType, 'Bearer');
    assert.ok(pair.expiresIn > 0 && pair.expiresIn <= 900);
    assert.match(pair.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(pair.refreshToken, /^[\w-]{43}$/);

    const me = await getWithToken(t.baseUrl, '/v1/auth/me', pair.accessToken);
    assert.equal(me.status, 200);
    const body = (await me.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'displayName', 'email', 'id']);
    assert.equal(body.email, email);
    assert.equal(body.displayName, null);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const email = uniqueEmail();
    await register(t.baseUrl, email);
    const wrong = await postJson(t.baseUrl, '/v1/auth/login', {
      email,
      password: 'wrong password',
    });
    const unknown = await postJson(t.baseUrl, '/v1/auth/login', {
      email: uniqueEmail(),
      password: PASSWORD,
    });
    const a = await expectProblem(wrong, 401, 'UNAUTHENTICATED');
    const b = await expectProblem(unknown, 401, 'UNAUTHENTICATED');
    assert.deepEqual({ ...a, requestId: '' }, { ...b, requestId: '' });
    assert.equal(wrong.headers.get('content-length'), unknown.headers.get('content-length'));
  });

  it('rotates refresh tokens and kills the family when a spent one comes back', async () => {
    const first = await signUp(t.baseUrl);
    const refresh = (token: string) =>
      postJson(t.baseUrl, '/v1/auth/refresh', { refreshToken: token });

    const res2 = await refresh(first.refreshToken);
    assert.equal(res2.status, 200);
    const second = (await res2.json()) as TokenPair;
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await getWithToken(t.baseUrl, '/v1/auth/me', second.accessToken)).status, 200);

    const res3 = await refresh(second.refreshToken);
    assert.equal(res3.status, 200);
    const third = (await res3.json()) as TokenPair;

    // The first token was spent: presenting it again is theft, and the whole family dies.
    await expectProblem(await refresh(first.refreshToken), 401, 'UNAUTHENTICATED');
    await expectProblem(await refresh(third.refreshToken), 401, 'UNAUTHENTICATED');

    // Other logins of the same user are separate families and keep working.
    const other = await login(t.baseUrl, first.email);
    assert.equal((await refresh(other.refreshToken)).status, 200);
  });

  it('spends a refresh token exactly once under two concurrent refreshes', async () => {
    const pair = await signUp(t.baseUrl);
    const me = await getWithToken(t.baseUrl, '/v1/auth/me', pair.accessToken);
    const { id: userId } = (await me.json()) as { id: string };
    const refresh = (token: string) =>
      postJson(t.baseUrl, '/v1/auth/refresh', { refreshToken: token });
    const results = await Promise.all([refresh(pair.refreshToken), refresh(pair.refreshToken)]);

    // The exact count lives in the store: one refresh consumed the token and minted exactly one
    // successor; the other found it spent and revoked the family.
    const mongo = new MongoClient(t.config.mongo.uri, { serverSelectionTimeoutMS: 5_000 });
    let family: { usedAt: Date | null; revokedAt: Date | null }[];
    try {
      family = await mongo
        .db()
        .collection<{ userId: string; usedAt: Date | null; revokedAt: Date | null }>(
          'refresh_tokens',
        )
        .find({ userId }, { projection: { _id: 0, usedAt: 1, revokedAt: 1 } })
        .toArray();
    } finally {
      await mongo.close();
    }
    assert.equal(family.length, 2, 'the login token and exactly one successor');
    assert.equal(family.filter((token) => token.usedAt !== null).length, 1, 'spent once');
    assert.ok(
      family.every((token) => token.revokedAt !== null),
      'the family is revoked',
    );

    // Over HTTP the winner answers 200 only if it finished issuing before the loser revoked
    // the family (else 401, by design); either way no caller keeps a working token.
    for (const res of results) {
      if (res.status !== 200) {
        await expectProblem(res, 401, 'UNAUTHENTICATED');
        continue;
      }
      const next = (await res.json()) as TokenPair;
      await expectProblem(await refresh(next.refreshToken), 401, 'UNAUTHENTICATED');
    }
  });

  it('logs out: 204, and the refresh token no longer works', async () => {
    const pair = await signUp(t.baseUrl);
    const res = await postJson(t.baseUrl, '/v1/auth/logout', { refreshToken: pair.refreshToken });
    assert.equal(res.status, 204);
    await expectProblem(
      await postJson(t.baseUrl, '/v1/auth/refresh', { refreshToken: pair.refreshToken }),
      401,
      'UNAUTHENTICATED',
    );
    // Logging out an unknown token is not an error.
    const again = await postJson(t.baseUrl, '/v1/auth/logout', { refreshToken: 'nope' });
    assert.equal(again.status, 204);
  });

  it('never lets a body act as a MongoDB operator', async () => {
    await register(t.baseUrl, uniqueEmail());
    for (const [path, body] of [
      ['/v1/auth/login', { email: { $gt: '' }, password: 'x' }],
      ['/v1/auth/login', { email: { $ne: null }, password: { $ne: null } }],
      ['/v1/auth/register', { email: { $gt: '' }, password: PASSWORD }],
      ['/v1/auth/refresh', { refreshToken: { $ne: null } }],
      ['/v1/auth/logout', { refreshToken: { $gt: '' } }],
    ] as const) {
      await expectProblem(await postJson(t.baseUrl, path, body), 400, 'VALIDATION_FAILED');
    }
  });
});
