// A device token is never taken as valid when its check cannot be made: with MongoDB unreachable
// (a TCP fault proxy between the app and the database, the devstack's or a real one), a device
// request fails with a 5xx problem, never a 200, and never a 401 that would log a good device out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { startFaultProxy, targetOf, viaProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { dropDatabase, startTestApp, type TestApp } from '../../support/test-app.js';
import { getWithToken } from './auth-client.js';
import { GuardProbeModule, ProbeSessions, type StandingDevice } from './guard-probe.module.js';

const backends: TestBackends = await startTestBackends();
after(() => backends.stop());

let skip: string | false = false;
try {
  targetOf(backends.mongoUri);
} catch (err) {
  skip = `MONGODB_URI cannot be proxied: ${(err as Error).message}`;
}

describe('auth: a failing device lookup is an error, never a pass', { skip }, () => {
  const directUri = `${backends.mongoUri}/sx_${randomSuffix()}`;
  let proxy: FaultProxy;
  let t: TestApp;
  let device: StandingDevice;

  before(async () => {
    proxy = await startFaultProxy(targetOf(backends.mongoUri));
    t = await startTestApp({
      backends,
      env: { MONGODB_URI: viaProxy(directUri, proxy) },
      extraModules: [GuardProbeModule],
    });
    device = await t.app.get(ProbeSessions).standingDevice(['upload']);
  });
  after(async () => {
    await t.close();
    await proxy.close();
    await dropDatabase(directUri);
  });

  it('answers 503 DATABASE_UNAVAILABLE while MongoDB is unreachable, and lets the device in again afterwards', async () => {
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', device.token)).status, 200);
    proxy.setMode('refuse');
    const res = await getWithToken(t.baseUrl, '/auth-probe/device', device.token);
    const body = (await res.json()) as { code?: string };
    // Never 200 (a signature alone does not let a device in) nor 401 (the token is fine).
    assert.equal(res.status, 503);
    assert.equal(body.code, 'DATABASE_UNAVAILABLE');
    assert.ok(Number(res.headers.get('retry-after')) > 0, 'Retry-After');
    proxy.setMode('pass');
    await eventually('device let in again', 15_000, async () => {
      const again = await getWithToken(t.baseUrl, '/auth-probe/device', device.token);
      await again.body?.cancel();
      return again.status === 200 ? true : undefined;
    });
  });
});
