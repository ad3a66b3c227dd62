import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { signUp } from '../auth/auth-client.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  allActivity,
  call,
  counterValue,
  createSession,
  expectJson,
  getSession,
  sleep,
  type SessionPage,
} from './sessions-client.js';

// No worker runs here: expiry must hold the moment expiresAt passes, not when a job gets to it.
describe('sessions: expiry is enforced on every access, at once', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({
      env: { SESSION_MIN_TTL_SECONDS: '1', RATE_LIMIT_AUTH_MAX: '1000' },
    });
  });
  after(async () => {
    await t.close();
  });

  it('reads a session past expiresAt as expired, refuses changes with 410, closes it on DELETE', async () => {
    const token = (await signUp(t.baseUrl)).accessToken;
    const session = await createSession(t.baseUrl, token, { name: 'Brief', ttlSeconds: 1 });
    assert.equal(session.status, 'active');
    const path = `/v1/sessions/${session.id}`;
    await sleep(Math.max(0, Date.parse(session.expiresAt) - Date.now()) + 500);

    const expired = await getSession(t.baseUrl, token, session.id);
    assert.equal(expired.status, 'expired');
    assert.equal(expired.name, 'Brief');
    const list = await expectJson<SessionPage>(
      await call(t.baseUrl, 'GET', '/v1/sessions', token),
      200,
    );
    assert.equal(list.items.find((s) => s.id === session.id)?.status, 'expired');

    // An extension cannot bring it back, and a rename is a write like any other.
    await expectProblem(
      await call(t.baseUrl, 'PATCH', path, token, { ttlSeconds: 3600 }),
      410,
      'SESSION_EXPIRED',
    );
    await expectProblem(
      await call(t.baseUrl, 'PATCH', path, token, { name: 'Revived' }),
      410,
      'SESSION_EXPIRED',
    );
    assert.deepEqual(await getSession(t.baseUrl, token, session.id), expired);
    assert.deepEqual(
      (await allActivity(t.baseUrl, token, session.id)).map((e) => e.type),
      ['session.created'],
    );

    // Closing an expired session closes it: an owner's explicit end, recorded and counted.
    const closedBefore = await counterValue(t.baseUrl, 'sharexpress_sessions_closed_total');
    const closed = await call(t.baseUrl, 'DELETE', path, token);
    assert.equal(closed.status, 204);
    await closed.body?.cancel();
    assert.deepEqual(await getSession(t.baseUrl, token, session.id), {
      ...expired,
      status: 'closed',
    });
    const closedEvents = await allActivity(t.baseUrl, token, session.id);
    assert.deepEqual(
      closedEvents.map((e) => e.type),
      ['session.created', 'session.closed'],
    );
    // Closing again is still 204 and changes nothing.
    const again = await call(t.baseUrl, 'DELETE', path, token);
    assert.equal(again.status, 204);
    await again.body?.cancel();
    assert.equal((await getSession(t.baseUrl, token, session.id)).status, 'closed');
    assert.deepEqual(await allActivity(t.baseUrl, token, session.id), closedEvents);
    assert.equal(
      (await counterValue(t.baseUrl, 'sharexpress_sessions_closed_total')) - closedBefore,
      1,
    );
  });

  it('still takes changes just before expiresAt', async () => {
    const token = (await signUp(t.baseUrl)).accessToken;
    const session = await createSession(t.baseUrl, token, { ttlSeconds: 2 });
    const extended = await expectJson<{ expiresAt: string; status: string }>(
      await call(t.baseUrl, 'PATCH', `/v1/sessions/${session.id}`, token, { ttlSeconds: 60 }),
      200,
    );
    assert.equal(extended.status, 'active');
    assert.ok(Date.parse(extended.expiresAt) > Date.parse(session.expiresAt));
  });
});
