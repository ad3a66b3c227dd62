import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Permission } from '@app/common';
import { AccessTokenService } from '../../../apps/api/src/modules/auth/tokens/access-token.service.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { getWithToken, signUp } from './auth-client.js';
import { GuardProbeModule, ProbeSessions } from './guard-probe.module.js';

describe('auth: global guards deny by default and check kinds and permissions', () => {
  let t: TestApp;
  let userToken: string;
  let probe: ProbeSessions;
  /** The token of a fresh active device in a fresh active session. */
  const deviceToken = async (permissions: Permission[]): Promise<string> =>
    (await probe.standingDevice(permissions)).token;
  const post = (path: string, token: string) =>
    fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    t = await startTestApp({ extraModules: [GuardProbeModule] });
    probe = t.app.get(ProbeSessions);
    userToken = (await signUp(t.baseUrl)).accessToken;
  });
  after(async () => {
    await t.close();
  });

  it('refuses a route that declares nothing, even to a valid user', async () => {
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/undeclared'),
      401,
      'UNAUTHENTICATED',
    );
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/undeclared', userToken),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('lets a device token through a device route and refuses a user token there', async () => {
    const device = await probe.standingDevice(['download']);
    const res = await getWithToken(t.baseUrl, '/auth-probe/device', device.token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      kind: 'device',
      deviceId: device.deviceId,
      sessionId: device.sessionId,
      permissions: ['download'],
    });
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/device', userToken),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('hands the route the session read made by the device check', async () => {
    const device = await probe.standingDevice([]);
    const res = await getWithToken(t.baseUrl, '/auth-probe/device/session', device.token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sessionId: device.sessionId, deviceStatus: 'active' });
  });

  it('records when a device was last seen', async () => {
    const device = await probe.standingDevice([]);
    const before = Date.now();
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', device.token)).status, 200);
    // The write is not awaited by the request; it lands right after.
    let lastSeenAt: Date | null | undefined;
    for (let i = 0; i < 50 && (lastSeenAt ?? null) === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const session = await probe.find(device.sessionId);
      lastSeenAt = session?.devices.find((d) => d.id === device.deviceId)?.lastSeenAt;
    }
    assert.ok(lastSeenAt instanceof Date, 'lastSeenAt set');
    assert.ok(lastSeenAt.getTime() >= before - 1000);
  });

  it('refuses the token of a device revoked after it was issued, at its next request', async () => {
    const revoked = await probe.standingDevice(['upload']);
    const kept = await probe.standingDevice([]);
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', revoked.token)).status, 200);
    await probe.revoke(revoked);
    // Same signed, unexpired token: the device check runs on every request, so it is refused.
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/device', revoked.token),
      401,
      'UNAUTHENTICATED',
    );
    // Other devices are untouched.
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', kept.token)).status, 200);
  });

  it('refuses every device of a session at its next request once the session is closed', async () => {
    const device = await probe.standingDevice([]);
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', device.token)).status, 200);
    await probe.close(device);
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/device', device.token),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses a device the moment its session passes expiresAt, before any job runs', async () => {
    // 2 s, not 1: the token's exp is expiresAt rounded down to the second, so a 1 s session's
    // token can lapse a few milliseconds after it is issued, before the first request.
    const device = await probe.standingDevice([], 2);
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', device.token)).status, 200);
    await new Promise((resolve) =>
      setTimeout(resolve, device.expiresAt.getTime() - Date.now() + 50),
    );
    // Stored as 'active' still; the check compares expiresAt with now on every request.
    assert.equal((await probe.find(device.sessionId))?.status, 'active');
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/device', device.token),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses a device whose session does not exist, or whose device is unknown to it', async () => {
    const tokens = t.app.get(AccessTokenService);
    const device = await probe.standingDevice([]);
    for (const [deviceId, sessionId] of [
      [device.deviceId, 'AAAAAAAAAAAAAAAAAAAAAA'],
      ['BBBBBBBBBBBBBBBBBBBBBB', device.sessionId],
    ] as const) {
      const { token } = await tokens.signDeviceToken({
        deviceId,
        sessionId,
        permissions: [],
        notAfter: device.expiresAt,
      });
      await expectProblem(
        await getWithToken(t.baseUrl, '/auth-probe/device', token),
        401,
        'UNAUTHENTICATED',
      );
    }
  });

  it('accepts both kinds where both are declared', async () => {
    const asUser = await getWithToken(t.baseUrl, '/auth-probe/either', userToken);
    assert.deepEqual(await asUser.json(), { kind: 'user' });
    const asDevice = await getWithToken(t.baseUrl, '/auth-probe/either', await deviceToken([]));
    assert.deepEqual(await asDevice.json(), { kind: 'device' });
  });

  it('answers 403 to a device without the permission, 200 with it', async () => {
    await expectProblem(
      await post('/auth-probe/upload', await deviceToken(['download', 'delete'])),
      403,
      'FORBIDDEN',
    );
    assert.equal((await post('/auth-probe/upload', await deviceToken(['upload']))).status, 200);
    // Users pass the permission guard; ownership is the service's business.
    assert.equal((await post('/auth-probe/upload', userToken)).status, 200);
    await expectProblem(await post('/auth-probe/upload', 'bogus'), 401, 'UNAUTHENTICATED');
  });

  it('signs device tokens that expire with their session, and never after it', async () => {
    // 2 h: well past the 15-minute access token lifetime.
    const device = await probe.standingDevice([], 7200);
    const claims = JSON.parse(
      Buffer.from(device.token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { exp: number };
    assert.equal(claims.exp, Math.floor(device.expiresAt.getTime() / 1000));
    assert.ok(claims.exp * 1000 > Date.now() + t.config.auth.accessTokenTtlSeconds * 1000);
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', device.token)).status, 200);
  });
});
