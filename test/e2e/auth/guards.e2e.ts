import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Permission } from '@app/common';
import { AccessTokenService } from '../../../apps/api/src/modules/auth/tokens/access-token.service.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { getWithToken, signUp } from './auth-client.js';
import { GuardProbeModule, ProbeDevices } from './guard-probe.module.js';

describe('auth: global guards deny by default and check kinds and permissions', () => {
  let t: TestApp;
  let userToken: string;
  const devices = new ProbeDevices();
  const deviceToken = async (deviceId: string, permissions: Permission[]): Promise<string> => {
    const signed = await t.app.get(AccessTokenService).signDeviceToken({
      deviceId,
      sessionId: 'session-1',
      permissions,
      notAfter: new Date(Date.now() + 3_600_000),
    });
    return signed.token;
  };
  const post = (path: string, token: string) =>
    fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    t = await startTestApp({ extraModules: [GuardProbeModule.withDevices(devices)] });
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
    const res = await getWithToken(
      t.baseUrl,
      '/auth-probe/device',
      await deviceToken('d-1', ['download']),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      kind: 'device',
      deviceId: 'd-1',
      sessionId: 'session-1',
      permissions: ['download'],
    });
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/device', userToken),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses the token of a device revoked after it was issued, at its next request', async () => {
    const token = await deviceToken('d-revoked', ['upload']);
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', token)).status, 200);
    devices.revoked.add('d-revoked');
    // Same signed, unexpired token: the device check runs on every request, so it is refused.
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/device', token),
      401,
      'UNAUTHENTICATED',
    );
    assert.deepEqual(
      devices.checked.filter((id) => id === 'd-revoked'),
      ['d-revoked', 'd-revoked'],
    );
    // Other devices are untouched.
    assert.equal(
      (await getWithToken(t.baseUrl, '/auth-probe/device', await deviceToken('d-kept', []))).status,
      200,
    );
  });

  it('answers 500, never a pass, when the device lookup itself fails', async (c) => {
    const token = await deviceToken('d-lookup', ['upload']);
    devices.failure = new Error('device store unreachable');
    c.after(() => {
      devices.failure = undefined;
    });
    await expectProblem(
      await getWithToken(t.baseUrl, '/auth-probe/device', token),
      500,
      'INTERNAL',
    );
  });

  it('accepts both kinds where both are declared', async () => {
    const asUser = await getWithToken(t.baseUrl, '/auth-probe/either', userToken);
    assert.deepEqual(await asUser.json(), { kind: 'user' });
    const asDevice = await getWithToken(
      t.baseUrl,
      '/auth-probe/either',
      await deviceToken('d-2', []),
    );
    assert.deepEqual(await asDevice.json(), { kind: 'device' });
  });

  it('answers 403 to a device without the permission, 200 with it', async () => {
    await expectProblem(
      await post('/auth-probe/upload', await deviceToken('d-3', ['download', 'delete'])),
      403,
      'FORBIDDEN',
    );
    assert.equal(
      (await post('/auth-probe/upload', await deviceToken('d-4', ['upload']))).status,
      200,
    );
    // Users pass the permission guard; ownership is the service's business.
    assert.equal((await post('/auth-probe/upload', userToken)).status, 200);
    await expectProblem(await post('/auth-probe/upload', 'bogus'), 401, 'UNAUTHENTICATED');
  });

  it('never lets a device token outlive its session', async () => {
    const notAfter = new Date(Date.now() + 30_000);
    const signed = await t.app.get(AccessTokenService).signDeviceToken({
      deviceId: 'd-5',
      sessionId: 'session-1',
      permissions: [],
      notAfter,
    });
    assert.ok(signed.expiresAt.getTime() <= notAfter.getTime());
    assert.ok(signed.expiresIn <= 30);
  });
});
