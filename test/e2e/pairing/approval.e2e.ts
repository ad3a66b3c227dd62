import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  activity,
  call,
  claim,
  createPairing,
  createSession,
  deleteStored,
  GENEROUS_LIMITS,
  json,
  listDevices,
  newOwner,
  poll,
  readStored,
  secretOf,
  sleep,
  type ActiveClaim,
  type Device,
  type Owner,
  type PendingClaim,
  type Session,
  updateStored,
} from './pairing-client.js';

// GENEROUS_LIMITS sets the poll interval to 1 s: a poll after this long is on time.
const ON_TIME_MS = 1100;

describe('pairing: approval flow (RFC 8628 polling)', () => {
  let t: TestApp;
  let owner: Owner;

  before(async () => {
    t = await startTestApp({ env: GENEROUS_LIMITS });
    owner = await newOwner(t.baseUrl);
  });
  after(async () => {
    await t.close();
  });

  async function pendingClaim(
    session: Session,
    name = 'Unknown tablet',
  ): Promise<PendingClaim & { pairingId: string }> {
    const pairing = await createPairing(t.baseUrl, owner, session.id);
    const res = await claim(
      t.baseUrl,
      { secret: secretOf(pairing), deviceName: name },
      'Tablet/2.0',
    );
    return { ...(await json<PendingClaim>(res, 202)), pairingId: pairing.id };
  }
  const decide = (session: Session, device: Device, action: 'approve' | 'reject') =>
    call(t.baseUrl, 'POST', `/v1/sessions/${session.id}/devices/${device.id}/${action}`, {
      token: owner.token,
    });

  it('answers 202 pending; the owner sees name, user agent and claim time first', async () => {
    const session = await createSession(t.baseUrl, owner, { requireApproval: true });
    const before = Date.now();
    const pending = await pendingClaim(session);
    assert.equal(pending.status, 'pending');
    assert.equal(pending.interval, 1);
    assert.match(pending.pollSecret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(pending.device.status, 'pending');
    assert.equal('accessToken' in pending, false);
    // The owner has PAIRING_APPROVAL_TTL_SECONDS (600) from the claim.
    const expiresAt = Date.parse(pending.expiresAt);
    assert.ok(
      expiresAt >= before + 600_000 && expiresAt <= Date.now() + 600_000,
      pending.expiresAt,
    );
    const { items, nextCursor } = await listDevices(t.baseUrl, owner, session.id);
    assert.equal(nextCursor, null);
    assert.equal(items.length, 1);
    const [device] = items;
    assert.equal(device?.name, 'Unknown tablet');
    assert.equal(device?.userAgent, 'Tablet/2.0');
    assert.equal(device?.status, 'pending');
    assert.ok(Math.abs(Date.parse(device?.createdAt ?? '') - before) < 5000);
    assert.equal(device?.lastSeenAt, null);
  });

  it('AUTHORIZATION_PENDING, SLOW_DOWN on a poll back to back, with a grown interval', async () => {
    const session = await createSession(t.baseUrl, owner, { requireApproval: true });
    const pending = await pendingClaim(session);
    // Setup: a 30 s interval, so "back to back" holds however slow this machine is.
    await updateStored(t.config.mongo.uri, 'pairings', pending.pairingId, {
      'poll.intervalSeconds': 30,
    });
    const waiting = await expectProblem(
      await poll(t.baseUrl, pending.pollSecret),
      400,
      'AUTHORIZATION_PENDING',
    );
    assert.equal(waiting.interval, 30, 'the problem carries the interval (RFC 8628)');
    const slow = await expectProblem(await poll(t.baseUrl, pending.pollSecret), 400, 'SLOW_DOWN');
    assert.match(slow.detail, /interval is now 35\b/);
    assert.equal(slow.interval, 35);
    // Polling again before the grown interval is too fast again: RFC 8628 adds 5 s each time.
    const slower = await expectProblem(await poll(t.baseUrl, pending.pollSecret), 400, 'SLOW_DOWN');
    assert.match(slower.detail, /interval is now 40\b/);
    assert.equal(slower.interval, 40);
  });

  it('approval: the next poll gets the token, once', async () => {
    const session = await createSession(t.baseUrl, owner, { requireApproval: true });
    const pending = await pendingClaim(session);
    await expectProblem(await poll(t.baseUrl, pending.pollSecret), 400, 'AUTHORIZATION_PENDING');
    const approved = await json<Device>(await decide(session, pending.device, 'approve'), 200);
    assert.equal(approved.status, 'active');
    assert.equal(approved.id, pending.device.id);
    await sleep(ON_TIME_MS);
    const active = await json<ActiveClaim>(await poll(t.baseUrl, pending.pollSecret), 200);
    assert.equal(active.status, 'active');
    assert.equal(active.tokenType, 'Bearer');
    assert.equal(active.device.id, pending.device.id);
    assert.equal(active.session.id, session.id);
    const read = await call(t.baseUrl, 'GET', `/v1/sessions/${session.id}`, {
      token: active.accessToken,
    });
    assert.equal(read.status, 200);
    // The poll secret is spent.
    await sleep(ON_TIME_MS);
    await expectProblem(await poll(t.baseUrl, pending.pollSecret), 401, 'UNAUTHENTICATED');
    // Approving twice is a conflict.
    await expectProblem(await decide(session, pending.device, 'approve'), 409, 'CONFLICT');
  });

  it('rejection: the next poll is 403 and the device can do nothing', async () => {
    const session = await createSession(t.baseUrl, owner, { requireApproval: true });
    const pending = await pendingClaim(session);
    const rejected = await json<Device>(await decide(session, pending.device, 'reject'), 200);
    assert.equal(rejected.status, 'rejected');
    await expectProblem(await poll(t.baseUrl, pending.pollSecret), 403, 'FORBIDDEN');
    await expectProblem(await decide(session, pending.device, 'approve'), 409, 'CONFLICT');
    await expectProblem(await decide(session, pending.device, 'reject'), 409, 'CONFLICT');
    const { items } = await listDevices(t.baseUrl, owner, session.id);
    assert.deepEqual(
      items.map((d) => d.status),
      ['rejected'],
    );
  });

  it('revoking a pending device answers its next poll with 403', async () => {
    const session = await createSession(t.baseUrl, owner, { requireApproval: true });
    const pending = await pendingClaim(session);
    const res = await call(
      t.baseUrl,
      'DELETE',
      `/v1/sessions/${session.id}/devices/${pending.device.id}`,
      {
        token: owner.token,
      },
    );
    assert.equal(res.status, 204);
    await expectProblem(await poll(t.baseUrl, pending.pollSecret), 403, 'FORBIDDEN');
  });

  it('a closed session ends the wait: 401, and approval is 410', async () => {
    const session = await createSession(t.baseUrl, owner, { requireApproval: true });
    const pending = await pendingClaim(session);
    const closed = await call(t.baseUrl, 'DELETE', `/v1/sessions/${session.id}`, {
      token: owner.token,
    });
    assert.equal(closed.status, 204);
    await expectProblem(await poll(t.baseUrl, pending.pollSecret), 401, 'UNAUTHENTICATED');
    await expectProblem(await decide(session, pending.device, 'approve'), 410, 'SESSION_EXPIRED');
  });

  describe('a device that stopped waiting (its poll expired, or its pairing is gone)', () => {
    const stopWaiting = {
      'poll expired': (pending: { pairingId: string }) =>
        updateStored(t.config.mongo.uri, 'pairings', pending.pairingId, {
          'poll.expiresAt': new Date(Date.now() - 1000),
        }),
      'pairing purged': (pending: { pairingId: string }) =>
        deleteStored(t.config.mongo.uri, 'pairings', pending.pairingId),
    };
    for (const [how, stop] of Object.entries(stopWaiting)) {
      it(`${how}: approval is 409, the device is revoked and its place is free again`, async () => {
        const session = await createSession(t.baseUrl, owner, {
          requireApproval: true,
          limits: { maxDevices: 1 },
        });
        const pending = await pendingClaim(session);
        // The one place is taken while the device waits.
        const other = await createPairing(t.baseUrl, owner, session.id);
        await expectProblem(await claim(t.baseUrl, { secret: secretOf(other) }), 409, 'CONFLICT');

        await stop(pending);
        const refused = await expectProblem(
          await decide(session, pending.device, 'approve'),
          409,
          'CONFLICT',
        );
        assert.equal(refused.detail, 'This device stopped waiting for approval; pair it again');
        const { items } = await listDevices(t.baseUrl, owner, session.id);
        assert.deepEqual(
          items.map((d) => [d.id, d.status]),
          [[pending.device.id, 'revoked']],
        );
        const read = await json<Session>(
          await call(t.baseUrl, 'GET', `/v1/sessions/${session.id}`, { token: owner.token }),
          200,
        );
        assert.equal(read.stats.devices, 0);
        const events = (await activity(t.baseUrl, owner, session.id)).items;
        assert.equal(events.at(-1)?.type, 'device.revoked');
        assert.equal(events.at(-1)?.data.deviceId, pending.device.id);
        // Approving again is the ordinary wrong-state conflict; the poll secret is of no use.
        await expectProblem(await decide(session, pending.device, 'approve'), 409, 'CONFLICT');
        await expectProblem(await poll(t.baseUrl, pending.pollSecret), 401, 'UNAUTHENTICATED');
        // A new claim fits again.
        const again = await pendingClaim(session, 'Second try');
        assert.equal(again.device.status, 'pending');
      });
    }
  });

  it('never lets a pending device wait past the session: the poll ends with it', async () => {
    // 120 s left, against PAIRING_APPROVAL_TTL_SECONDS (600).
    const session = await createSession(t.baseUrl, owner, {
      requireApproval: true,
      ttlSeconds: 120,
    });
    const pending = await pendingClaim(session);
    assert.equal(pending.expiresAt, session.expiresAt);
    const stored = await readStored(t.config.mongo.uri, 'pairings', pending.pairingId);
    const storedPoll = stored?.poll as { expiresAt?: Date } | undefined;
    assert.equal(storedPoll?.expiresAt?.toISOString(), session.expiresAt);
  });

  it('refuses unknown poll secrets and foreign or unknown devices', async () => {
    await expectProblem(await poll(t.baseUrl, 'A'.repeat(43)), 401, 'UNAUTHENTICATED');
    const session = await createSession(t.baseUrl, owner, { requireApproval: true });
    const pending = await pendingClaim(session);
    const stranger = await newOwner(t.baseUrl);
    const path = `/v1/sessions/${session.id}/devices/${pending.device.id}/approve`;
    await expectProblem(
      await call(t.baseUrl, 'POST', path, { token: stranger.token }),
      404,
      'NOT_FOUND',
    );
    await expectProblem(
      await call(t.baseUrl, 'GET', `/v1/sessions/${session.id}/devices`, { token: stranger.token }),
      404,
      'NOT_FOUND',
    );
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-an-id']) {
      const unknown = `/v1/sessions/${session.id}/devices/${id}/approve`;
      await expectProblem(
        await call(t.baseUrl, 'POST', unknown, { token: owner.token }),
        404,
        'NOT_FOUND',
      );
    }
    // The stranger's attempt changed nothing.
    const { items } = await listDevices(t.baseUrl, owner, session.id);
    assert.deepEqual(
      items.map((d) => d.status),
      ['pending'],
    );
  });
});
