import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { signUp } from '../auth/auth-client.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  allActivity,
  call,
  createSession,
  expectJson,
  getSession,
  type SessionBody,
} from './sessions-client.js';

interface Claimed {
  accessToken: string;
  secret: string;
}

describe('sessions: a paired device reads its own session and activity, nothing else', () => {
  let t: TestApp;
  let owner: string;

  before(async () => {
    t = await startTestApp({
      env: { RATE_LIMIT_AUTH_MAX: '1000', RATE_LIMIT_MAX: '100000' },
    });
    owner = (await signUp(t.baseUrl)).accessToken;
  });
  after(async () => {
    await t.close();
  });

  // Through the API, as the owner's app and a phone would.
  async function pairDevice(sessionId: string): Promise<Claimed> {
    const pairing = await expectJson<{ pairingUrl: string }>(
      await call(t.baseUrl, 'POST', `/v1/sessions/${sessionId}/pairings`, owner, {}),
      201,
    );
    const secret = new URL(pairing.pairingUrl).hash.slice(1);
    const claim = await expectJson<{ accessToken: string }>(
      await call(t.baseUrl, 'POST', '/v1/pairings/claim', undefined, {
        secret,
        deviceName: 'Phone',
      }),
      201,
    );
    return { accessToken: claim.accessToken, secret };
  }

  it('shows the device the same session the owner sees, and its events without secrets', async () => {
    const session = await createSession(t.baseUrl, owner, { name: 'Shared' });
    const device = await pairDevice(session.id);

    const seen = await getSession(t.baseUrl, device.accessToken, session.id);
    assert.deepEqual(seen, await getSession(t.baseUrl, owner, session.id));
    assert.equal(seen.stats.devices, 1);
    assert.doesNotMatch(JSON.stringify(seen), /devices"\s*:\s*\[|ownerId/);

    const events = await allActivity(t.baseUrl, device.accessToken, session.id, 2);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['session.created', 'pairing.created', 'device.claimed'],
    );
    assert.deepEqual(await allActivity(t.baseUrl, owner, session.id), events);
    assert.ok(!JSON.stringify(events).includes(device.secret), 'no secret in the events');
    assert.ok(!JSON.stringify(events).includes(device.accessToken), 'no token in the events');

    // The owner's extension is what the device reads next.
    const extended = await expectJson<SessionBody>(
      await call(t.baseUrl, 'PATCH', `/v1/sessions/${session.id}`, owner, { ttlSeconds: 7200 }),
      200,
    );
    assert.equal(
      (await getSession(t.baseUrl, device.accessToken, session.id)).expiresAt,
      extended.expiresAt,
    );
  });

  it('answers 404 for any other session and 401 on the owner-only routes, changing nothing', async () => {
    const session = await createSession(t.baseUrl, owner, { name: 'Mine' });
    const other = await createSession(t.baseUrl, owner, { name: 'Other' });
    const { accessToken } = await pairDevice(session.id);

    for (const path of [
      `/v1/sessions/${other.id}`,
      `/v1/sessions/${other.id}/activity`,
      '/v1/sessions/not-a-session-id',
    ]) {
      await expectProblem(await call(t.baseUrl, 'GET', path, accessToken), 404, 'NOT_FOUND');
    }
    const path = `/v1/sessions/${session.id}`;
    for (const [method, url, body] of [
      ['POST', '/v1/sessions', {}],
      ['GET', '/v1/sessions', undefined],
      ['PATCH', path, { name: 'Taken over' }],
      ['PATCH', path, { ttlSeconds: 604_800 }],
      ['DELETE', path, undefined],
      ['DELETE', `/v1/sessions/${other.id}`, undefined],
    ] as const) {
      await expectProblem(
        await call(t.baseUrl, method, url, accessToken, body),
        401,
        'UNAUTHENTICATED',
      );
    }
    const mine = await getSession(t.baseUrl, owner, session.id);
    assert.equal(mine.name, 'Mine');
    assert.equal(mine.status, 'active');
    assert.equal((await getSession(t.baseUrl, owner, other.id)).status, 'active');
    assert.equal((await allActivity(t.baseUrl, owner, other.id)).length, 1);
  });

  it("refuses the device's very next read once the owner closes the session", async () => {
    const session = await createSession(t.baseUrl, owner);
    const { accessToken } = await pairDevice(session.id);
    assert.equal((await getSession(t.baseUrl, accessToken, session.id)).status, 'active');
    const closed = await call(t.baseUrl, 'DELETE', `/v1/sessions/${session.id}`, owner);
    assert.equal(closed.status, 204);
    for (const path of [`/v1/sessions/${session.id}`, `/v1/sessions/${session.id}/activity`]) {
      await expectProblem(await call(t.baseUrl, 'GET', path, accessToken), 401, 'UNAUTHENTICATED');
    }
    assert.equal((await getSession(t.baseUrl, owner, session.id)).status, 'closed');
  });
});
