import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  activity,
  call,
  claim,
  claimActive,
  createPairing,
  createSession,
  GENEROUS_LIMITS,
  json,
  listDevices,
  newOwner,
  readStored,
  secretOf,
  updateStored,
  type ActiveClaim,
  type Owner,
  type Session,
} from './pairing-client.js';

const INVALID_DETAIL = 'Unknown, spent or expired pairing secret or code';

describe('pairing: claims and device tokens', () => {
  let t: TestApp;
  let owner: Owner;

  before(async () => {
    t = await startTestApp({ env: GENEROUS_LIMITS });
    owner = await newOwner(t.baseUrl);
  });
  after(async () => {
    await t.close();
  });

  const getSession = (id: string, token: string) =>
    call(t.baseUrl, 'GET', `/v1/sessions/${id}`, { token });

  it('claims with the secret: 201 with a device token that reads the session', async () => {
    const session = await createSession(t.baseUrl, owner);
    const pairing = await createPairing(t.baseUrl, owner, session.id);
    const res = await claim(
      t.baseUrl,
      { secret: secretOf(pairing), deviceName: 'Ada’s phone' },
      'TestPhone/1.0',
    );
    const body = await json<ActiveClaim>(res, 201);
    assert.equal(body.status, 'active');
    assert.equal(body.tokenType, 'Bearer');
    assert.equal(body.session.id, session.id);
    assert.equal(body.session.stats.devices, 1);
    assert.equal(body.device.name, 'Ada’s phone');
    assert.equal(body.device.status, 'active');
    assert.equal(body.device.userAgent, 'TestPhone/1.0');
    assert.ok(Date.parse(body.expiresAt) <= Date.parse(session.expiresAt));
    const read = await json<Session>(await getSession(session.id, body.accessToken), 200);
    assert.equal(read.id, session.id);
  });

  it('refuses the same secret again, and unknown secrets, with one 401', async () => {
    const session = await createSession(t.baseUrl, owner);
    const pairing = await createPairing(t.baseUrl, owner, session.id);
    await claimActive(t.baseUrl, pairing);
    const again = await expectProblem(
      await claim(t.baseUrl, { secret: secretOf(pairing) }),
      401,
      'UNAUTHENTICATED',
    );
    const unknown = await expectProblem(
      await claim(t.baseUrl, { secret: 'A'.repeat(43) }),
      401,
      'UNAUTHENTICATED',
    );
    assert.equal(again.detail, INVALID_DETAIL);
    assert.equal(unknown.detail, INVALID_DETAIL);
    assert.equal((await listDevices(t.baseUrl, owner, session.id)).items.length, 1);
  });

  it('claims by code with the dash, in lower case, or without the dash', async () => {
    const session = await createSession(t.baseUrl, owner);
    const typed = [
      (c: string) => c,
      (c: string) => c.toLowerCase(),
      (c: string) => c.replace('-', ''),
    ];
    for (const form of typed) {
      const pairing = await createPairing(t.baseUrl, owner, session.id);
      const res = await claim(t.baseUrl, { code: form(pairing.code) });
      const body = await json<ActiveClaim>(res, 201);
      assert.equal(body.device.name, 'Device', 'the default name');
      assert.equal(body.session.id, session.id);
      // Spent: the same code again is refused.
      await expectProblem(await claim(t.baseUrl, { code: pairing.code }), 401, 'UNAUTHENTICATED');
    }
    const wrong = await expectProblem(
      await claim(t.baseUrl, { code: 'BBBB-BBBB' }),
      401,
      'UNAUTHENTICATED',
    );
    assert.equal(wrong.detail, INVALID_DETAIL);
    await expectProblem(await claim(t.baseUrl, { code: 'AEIO-U123' }), 401, 'UNAUTHENTICATED');
  });

  it('refuses an expired pairing with the same 401', async () => {
    const session = await createSession(t.baseUrl, owner);
    const pairing = await createPairing(t.baseUrl, owner, session.id, { ttlSeconds: 30 });
    await updateStored(t.config.mongo.uri, 'pairings', pairing.id, {
      expiresAt: new Date(Date.now() - 1000),
    });
    for (const body of [{ secret: secretOf(pairing) }, { code: pairing.code }]) {
      const problem = await expectProblem(await claim(t.baseUrl, body), 401, 'UNAUTHENTICATED');
      assert.equal(problem.detail, INVALID_DETAIL);
    }
    assert.equal((await listDevices(t.baseUrl, owner, session.id)).items.length, 0);
  });

  it('lets exactly one of 20 concurrent claims of one pairing win', async () => {
    const session = await createSession(t.baseUrl, owner);
    const pairing = await createPairing(t.baseUrl, owner, session.id);
    const secret = secretOf(pairing);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        claim(t.baseUrl, i % 2 === 0 ? { secret } : { code: pairing.code }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    await Promise.all(answers.map((r) => r.text()));
    assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 401).length, 19, statuses.join(','));
    const { items } = await listDevices(t.baseUrl, owner, session.id);
    assert.equal(items.length, 1);
  });

  it('keeps devices in their session: another session is 404, user routes are 401', async () => {
    const session = await createSession(t.baseUrl, owner);
    const mine = await createSession(t.baseUrl, owner);
    const foreign = await createSession(t.baseUrl, await newOwner(t.baseUrl));
    const { accessToken } = await claimActive(
      t.baseUrl,
      await createPairing(t.baseUrl, owner, session.id),
    );
    await expectProblem(await getSession(mine.id, accessToken), 404, 'NOT_FOUND');
    await expectProblem(await getSession(foreign.id, accessToken), 404, 'NOT_FOUND');
    for (const [method, path] of [
      ['GET', '/v1/auth/me'],
      ['GET', '/v1/sessions'],
      ['POST', `/v1/sessions/${session.id}/pairings`],
      ['GET', `/v1/sessions/${session.id}/devices`],
    ] as const) {
      const res = await call(t.baseUrl, method, path, {
        token: accessToken,
        ...(method === 'POST' ? { body: {} } : {}),
      });
      await expectProblem(res, 401, 'UNAUTHENTICATED');
    }
    assert.equal((await getSession(session.id, accessToken)).status, 200);
  });

  it('cuts a revoked device off from its very next request', async () => {
    const session = await createSession(t.baseUrl, owner);
    const claimed = await claimActive(t.baseUrl, await createPairing(t.baseUrl, owner, session.id));
    assert.equal((await getSession(session.id, claimed.accessToken)).status, 200);
    const path = `/v1/sessions/${session.id}/devices/${claimed.device.id}`;
    const revoked = await call(t.baseUrl, 'DELETE', path, { token: owner.token });
    assert.equal(revoked.status, 204);
    await expectProblem(await getSession(session.id, claimed.accessToken), 401, 'UNAUTHENTICATED');
    const token = await call(t.baseUrl, 'POST', '/v1/devices/token', {
      token: claimed.accessToken,
    });
    await expectProblem(token, 401, 'UNAUTHENTICATED');
    // Revoked already: a second revocation is a conflict, an unknown device 404.
    await expectProblem(
      await call(t.baseUrl, 'DELETE', path, { token: owner.token }),
      409,
      'CONFLICT',
    );
    const unknown = `/v1/sessions/${session.id}/devices/AAAAAAAAAAAAAAAAAAAAAA`;
    await expectProblem(
      await call(t.baseUrl, 'DELETE', unknown, { token: owner.token }),
      404,
      'NOT_FOUND',
    );
    const { items } = await listDevices(t.baseUrl, owner, session.id);
    assert.deepEqual(
      items.map((d) => d.status),
      ['revoked'],
    );
  });

  it('cuts every device off from its very next request once the session closes', async () => {
    const session = await createSession(t.baseUrl, owner);
    const claimed = await claimActive(t.baseUrl, await createPairing(t.baseUrl, owner, session.id));
    assert.equal((await getSession(session.id, claimed.accessToken)).status, 200);
    const closed = await call(t.baseUrl, 'DELETE', `/v1/sessions/${session.id}`, {
      token: owner.token,
    });
    assert.equal(closed.status, 204);
    await expectProblem(await getSession(session.id, claimed.accessToken), 401, 'UNAUTHENTICATED');
  });

  it('hands out a fresh device token up to the session’s current expiry', async () => {
    const session = await createSession(t.baseUrl, owner, { ttlSeconds: 600 });
    const claimed = await claimActive(t.baseUrl, await createPairing(t.baseUrl, owner, session.id));
    const extended = await json<Session>(
      await call(t.baseUrl, 'PATCH', `/v1/sessions/${session.id}`, {
        token: owner.token,
        body: { ttlSeconds: 7200 },
      }),
      200,
    );
    const res = await call(t.baseUrl, 'POST', '/v1/devices/token', { token: claimed.accessToken });
    const fresh = await json<{ accessToken: string; tokenType: string; expiresAt: string }>(
      res,
      200,
    );
    assert.equal(fresh.tokenType, 'Bearer');
    assert.ok(
      Date.parse(fresh.expiresAt) > Date.parse(claimed.expiresAt),
      'picks up the extension',
    );
    assert.ok(
      Date.parse(fresh.expiresAt) <= Date.parse(extended.expiresAt),
      'never past the session',
    );
    assert.equal((await getSession(session.id, fresh.accessToken)).status, 200);
    // A user token is not a device token.
    await expectProblem(
      await call(t.baseUrl, 'POST', '/v1/devices/token', { token: owner.token }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('holds maxDevices 3 under 20 concurrent claims of 20 pairings', async () => {
    const session = await createSession(t.baseUrl, owner, { limits: { maxDevices: 3 } });
    const pairings = await Promise.all(
      Array.from({ length: 20 }, () => createPairing(t.baseUrl, owner, session.id)),
    );
    const answers = await Promise.all(
      pairings.map((p) => claim(t.baseUrl, { secret: secretOf(p) })),
    );
    const statuses = answers.map((r) => r.status);
    const problems = await Promise.all(answers.map((r) => r.json() as Promise<{ code?: string }>));
    assert.equal(statuses.filter((s) => s === 201).length, 3, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 409).length, 17, statuses.join(','));
    for (const [i, status] of statuses.entries()) {
      if (status === 409) assert.equal(problems[i]?.code, 'CONFLICT');
    }
    const { items } = await listDevices(t.baseUrl, owner, session.id);
    assert.equal(items.length, 3);
    const read = await json<Session>(await getSession(session.id, owner.token), 200);
    assert.equal(read.stats.devices, 3);
    // The refused claims gave their pairings back: once a place is free, one of them works.
    const loser = pairings[statuses.indexOf(409)];
    assert.ok(loser !== undefined);
    assert.equal((await readStored(t.config.mongo.uri, 'pairings', loser.id))?.claimedAt, null);
    const first = items[0];
    assert.ok(first !== undefined);
    const revoke = await call(
      t.baseUrl,
      'DELETE',
      `/v1/sessions/${session.id}/devices/${first.id}`,
      {
        token: owner.token,
      },
    );
    assert.equal(revoke.status, 204);
    await claimActive(t.baseUrl, loser);
  });

  for (const ending of ['closed', 'expired'] as const) {
    it(`refuses a claim on a session that is ${ending} with 410, changing nothing`, async () => {
      const session = await createSession(t.baseUrl, owner);
      const pairing = await createPairing(t.baseUrl, owner, session.id);
      if (ending === 'closed') {
        const res = await call(t.baseUrl, 'DELETE', `/v1/sessions/${session.id}`, {
          token: owner.token,
        });
        assert.equal(res.status, 204);
      } else {
        // Past expiresAt, still stored `active`: no job has run, the claim must see it at once.
        await updateStored(t.config.mongo.uri, 'sessions', session.id, {
          expiresAt: new Date(Date.now() - 1000),
        });
      }
      const before = await activity(t.baseUrl, owner, session.id);
      for (const body of [{ secret: secretOf(pairing) }, { code: pairing.code }]) {
        await expectProblem(await claim(t.baseUrl, body), 410, 'SESSION_EXPIRED');
      }
      assert.deepEqual(await activity(t.baseUrl, owner, session.id), before);
      assert.equal((await listDevices(t.baseUrl, owner, session.id)).items.length, 0);
      const stored = await readStored(t.config.mongo.uri, 'pairings', pairing.id);
      assert.equal(stored?.claimedAt, null);
      assert.equal(stored?.deviceId, null);
      // Nor can the owner pair again.
      await expectProblem(
        await call(t.baseUrl, 'POST', `/v1/sessions/${session.id}/pairings`, {
          token: owner.token,
          body: {},
        }),
        410,
        'SESSION_EXPIRED',
      );
    });
  }

  it('records pairing and device events in order, gapless, without secrets', async () => {
    const session = await createSession(t.baseUrl, owner);
    const pairing = await createPairing(t.baseUrl, owner, session.id);
    const claimed = await claimActive(t.baseUrl, pairing);
    const revoke = await call(
      t.baseUrl,
      'DELETE',
      `/v1/sessions/${session.id}/devices/${claimed.device.id}`,
      {
        token: owner.token,
      },
    );
    assert.equal(revoke.status, 204);
    const { items } = await activity(t.baseUrl, owner, session.id);
    assert.deepEqual(
      items.map((e) => e.seq),
      items.map((_, i) => i + 1),
    );
    assert.deepEqual(
      items.map((e) => e.type),
      ['session.created', 'pairing.created', 'device.claimed', 'device.revoked'],
    );
    assert.deepEqual(items[1]?.data, { pairingId: pairing.id, expiresAt: pairing.expiresAt });
    assert.deepEqual(items[2]?.data, {
      deviceId: claimed.device.id,
      name: 'Phone',
      status: 'active',
    });
    const text = JSON.stringify(items);
    for (const secret of [
      secretOf(pairing),
      pairing.code,
      pairing.code.replace('-', ''),
      claimed.accessToken,
    ]) {
      assert.ok(!text.includes(secret), 'no secret in the events');
    }
  });

  it('keeps the user agent to 256 well-formed characters', async () => {
    const session = await createSession(t.baseUrl, owner);
    const pairing = await createPairing(t.baseUrl, owner, session.id);
    const res = await claim(t.baseUrl, { secret: secretOf(pairing) }, `Agent/${'x'.repeat(400)}`);
    const body = await json<ActiveClaim>(res, 201);
    assert.equal(body.device.userAgent?.length, 256);
  });

  it('counts claims by outcome, failed claims and the active devices', async () => {
    const scrape = async () => {
      const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
      const value = (name: string): number =>
        Number(
          new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? 'NaN',
        );
      return {
        active: value('sharexpress_pairing_claims_total{outcome="active"}'),
        invalid: value('sharexpress_pairing_claims_total{outcome="invalid"}'),
        failed: value('sharexpress_pairing_claims_failed_total'),
        created: value('sharexpress_pairings_created_total'),
        devices: value('sharexpress_devices_active'),
      };
    };
    const session = await createSession(t.baseUrl, owner);
    const before = await scrape();
    const pairing = await createPairing(t.baseUrl, owner, session.id);
    await claimActive(t.baseUrl, pairing);
    await expectProblem(
      await claim(t.baseUrl, { secret: secretOf(pairing) }),
      401,
      'UNAUTHENTICATED',
    );
    const after = await scrape();
    assert.equal(after.created - before.created, 1);
    assert.equal(after.active - before.active, 1);
    assert.equal(after.invalid - before.invalid, 1);
    assert.equal(after.failed - before.failed, 1);
    assert.equal(after.devices - before.devices, 1);
  });
});
