import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newPublicId } from '@app/common';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { signUp } from '../auth/auth-client.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  allActivity,
  call,
  createSession,
  expectJson,
  getSession,
  type SessionPage,
} from './sessions-client.js';

describe("sessions: someone else's session is 404, never 403, and stays as it was", () => {
  let t: TestApp;
  let owner: string;
  let stranger: string;

  before(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '1000' } });
    owner = (await signUp(t.baseUrl)).accessToken;
    stranger = (await signUp(t.baseUrl)).accessToken;
  });
  after(async () => {
    await t.close();
  });

  it('answers a stranger exactly as for an unknown id, and changes nothing', async () => {
    const session = await createSession(t.baseUrl, owner, { name: 'Private' });
    const unknown = newPublicId();
    for (const id of [session.id, unknown]) {
      const path = `/v1/sessions/${id}`;
      const answers = [
        await call(t.baseUrl, 'GET', path, stranger),
        await call(t.baseUrl, 'PATCH', path, stranger, { name: 'Mine now' }),
        await call(t.baseUrl, 'PATCH', path, stranger, { ttlSeconds: 604_800 }),
        await call(t.baseUrl, 'DELETE', path, stranger),
        await call(t.baseUrl, 'GET', `${path}/activity`, stranger),
      ];
      for (const res of answers) {
        const problem = await expectProblem(res, 404, 'NOT_FOUND');
        assert.doesNotMatch(JSON.stringify(problem), /Private/);
      }
    }
    // The owner finds it untouched, with no event but its creation.
    assert.deepEqual(await getSession(t.baseUrl, owner, session.id), session);
    const events = await allActivity(t.baseUrl, owner, session.id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['session.created'],
    );
    const list = await expectJson<SessionPage>(
      await call(t.baseUrl, 'GET', '/v1/sessions', stranger),
      200,
    );
    assert.deepEqual(list, { items: [], nextCursor: null });
  });

  it("answers 404 to a stranger even on someone else's closed session", async () => {
    const session = await createSession(t.baseUrl, owner);
    const res = await call(t.baseUrl, 'DELETE', `/v1/sessions/${session.id}`, owner);
    assert.equal(res.status, 204);
    await expectProblem(
      await call(t.baseUrl, 'PATCH', `/v1/sessions/${session.id}`, stranger, { name: 'x' }),
      404,
      'NOT_FOUND',
    );
    await expectProblem(
      await call(t.baseUrl, 'DELETE', `/v1/sessions/${session.id}`, stranger),
      404,
      'NOT_FOUND',
    );
  });

  it('refuses anonymous callers with 401 on every sessions route', async () => {
    const session = await createSession(t.baseUrl, owner);
    const path = `/v1/sessions/${session.id}`;
    for (const [method, url, body] of [
      ['POST', '/v1/sessions', {}],
      ['GET', '/v1/sessions', undefined],
      ['GET', path, undefined],
      ['PATCH', path, { name: 'x' }],
      ['DELETE', path, undefined],
      ['GET', `${path}/activity`, undefined],
    ] as const) {
      await expectProblem(
        await call(t.baseUrl, method, url, undefined, body),
        401,
        'UNAUTHENTICATED',
      );
    }
    assert.equal((await getSession(t.baseUrl, owner, session.id)).status, 'active');
  });
});
