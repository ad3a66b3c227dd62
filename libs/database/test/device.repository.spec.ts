import assert from 'node:assert/strict';
import type { CommandStartedEvent, Document } from 'mongodb';
import { after, before, describe, it } from 'node:test';
import { EventRepository } from '../src/events/event.repository.js';
import { DeviceRepository, deviceHistoryCap } from '../src/sessions/device.repository.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import type { SessionRecord } from '../src/sessions/session.types.js';
import {
  event,
  hour,
  limits,
  minute,
  newDevice,
  newSession,
  startSessionRepositories,
  type SessionRepositoriesFixture,
} from './session-repositories.js';

describe('DeviceRepository against MongoDB', () => {
  let fixture: SessionRepositoriesFixture;
  let sessions: SessionRepository;
  let devices: DeviceRepository;
  let events: EventRepository;
  const stored = (id: string) => fixture.raw('sessions').findOne({ _id: id });
  const claimed = event('device.claimed');

  const liveSession = async (maxDevices = 5, overrides = {}): Promise<SessionRecord> =>
    sessions.create(
      newSession({ limits: limits({ maxDevices }), ...overrides }),
      event('session.created'),
    );

  before(async () => {
    // Command monitoring, so a spec can see what the driver sends.
    fixture = await startSessionRepositories({ uriOptions: 'monitorCommands=true' });
    sessions = fixture.moduleRef.get(SessionRepository);
    devices = fixture.moduleRef.get(DeviceRepository);
    events = fixture.moduleRef.get(EventRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('adds a device, counting it and recording the claim', async () => {
    const session = await liveSession();
    const device = newDevice({ status: 'pending', userAgent: null });
    const result = await devices.add(session.id, device, new Date(), claimed);
    assert.ok(result.ok);
    assert.equal(result.session.stats.devices, 1);
    assert.equal(result.session.seq, 2);
    assert.deepEqual(result.session.devices, [{ ...device, lastSeenAt: null, decidedAt: null }]);
    assert.deepEqual(await sessions.findById(session.id), result.session);
    assert.deepEqual(
      (await events.list(session.id, 0, 10)).map((e) => e.type),
      ['session.created', 'device.claimed'],
    );
  });

  it('lets exactly maxDevices of 20 concurrent adds in; the rest are full', async () => {
    const session = await liveSession(5);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => devices.add(session.id, newDevice(), new Date(), claimed)),
    );
    assert.equal(results.filter((r) => r.ok).length, 5);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'full').length, 15);
    const after = await sessions.findById(session.id);
    assert.equal(after?.stats.devices, 5);
    assert.equal(after?.devices.length, 5);
    assert.equal(after?.seq, 6);
    assert.deepEqual(
      (await events.list(session.id, 0, 100)).map((e) => e.seq),
      [1, 2, 3, 4, 5, 6],
    );
  });

  it('says not_found or inactive, and changes nothing', async () => {
    assert.deepEqual(
      await devices.add('AAAAAAAAAAAAAAAAAAAAAA', newDevice(), new Date(), claimed),
      { ok: false, reason: 'not_found' },
    );
    const past = Date.now() - 2 * hour;
    const expired = await liveSession(5, {
      createdAt: new Date(past),
      expiresAt: new Date(past + hour),
    });
    const closed = await liveSession();
    await sessions.close(closed.ownerId, closed.id, new Date(), event('session.closed'));
    const live = await liveSession();
    const cases = [
      { id: expired.id, now: new Date() },
      { id: closed.id, now: new Date() },
      { id: live.id, now: new Date(live.expiresAt.getTime()) },
    ];
    for (const { id, now } of cases) {
      const before = await stored(id);
      assert.deepEqual(await devices.add(id, newDevice(), now, claimed), {
        ok: false,
        reason: 'inactive',
      });
      assert.deepEqual(await stored(id), before);
    }
  });

  // Adds and revokes `count` devices: the session's history grows, its count stays at 0.
  const churn = async (session: SessionRecord, count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const device = newDevice();
      const added = await devices.add(session.id, device, new Date(), claimed);
      assert.ok(added.ok, `device ${String(i)}`);
      const revoked = await devices.transition(
        session.ownerId,
        session.id,
        device.id,
        ['pending', 'active'],
        'revoked',
        new Date(),
        event('device.revoked'),
        true,
      );
      assert.equal(revoked?.stats.devices, 0);
    }
  };

  it('keeps max(4 × maxDevices, 20) devices, rejected and revoked ones included', async () => {
    assert.equal(deviceHistoryCap(1), 20);
    assert.equal(deviceHistoryCap(5), 20);
    assert.equal(deviceHistoryCap(6), 24);
    for (const maxDevices of [1, 6]) {
      const session = await liveSession(maxDevices);
      await churn(session, deviceHistoryCap(maxDevices));
      const before = await stored(session.id);
      // Not `full`: stats.devices is 0, and revoking would make no room.
      assert.deepEqual(await devices.add(session.id, newDevice(), new Date(), claimed), {
        ok: false,
        reason: 'history_full',
      });
      assert.deepEqual(await stored(session.id), before);
      assert.equal((await sessions.findById(session.id))?.stats.devices, 0);
    }
  });

  it('says full, not history_full, while the history has room', async () => {
    const session = await liveSession(1);
    await churn(session, deviceHistoryCap(1) - 2);
    assert.ok((await devices.add(session.id, newDevice(), new Date(), claimed)).ok);
    assert.deepEqual(await devices.add(session.id, newDevice(), new Date(), claimed), {
      ok: false,
      reason: 'full',
    });
  });

  it('approves, rejects and revokes, keeping stats.devices right', async () => {
    const session = await liveSession(5);
    const a = newDevice({ status: 'pending' });
    const b = newDevice({ status: 'pending' });
    const c = newDevice({ status: 'active' });
    for (const d of [a, b, c])
      assert.ok((await devices.add(session.id, d, new Date(), claimed)).ok);
    const move = (
      deviceId: string,
      from: ('pending' | 'active')[],
      to: 'active' | 'rejected' | 'revoked',
      now = new Date(),
    ) =>
      devices.transition(
        session.ownerId,
        session.id,
        deviceId,
        from,
        to,
        now,
        event(`device.${to}`),
        true,
      );

    const decidedAt = new Date();
    const approved = await move(a.id, ['pending'], 'active', decidedAt);
    assert.equal(approved?.stats.devices, 3, 'approval changes no count');
    const deviceA = approved?.devices.find((d) => d.id === a.id);
    assert.equal(deviceA?.status, 'active');
    assert.deepEqual(deviceA?.decidedAt, decidedAt);

    const rejected = await move(b.id, ['pending'], 'rejected');
    assert.equal(rejected?.stats.devices, 2);
    const revoked = await move(c.id, ['active'], 'revoked');
    assert.equal(revoked?.stats.devices, 1);
    assert.equal(revoked?.seq, 7);

    // Wrong state: nothing matches, nothing moves.
    const before = await stored(session.id);
    assert.equal(await move(c.id, ['active'], 'revoked'), null, 'already revoked');
    assert.equal(await move(b.id, ['pending'], 'active'), null, 'rejected is final');
    assert.equal(await move(a.id, ['pending'], 'rejected'), null, 'no longer pending');
    assert.equal(await move('no-such-device', ['pending', 'active'], 'revoked'), null);
    assert.equal(
      await devices.transition(
        'intruder',
        session.id,
        a.id,
        ['active'],
        'revoked',
        new Date(),
        event('device.revoked'),
        true,
      ),
      null,
      'not owned',
    );
    assert.deepEqual(await stored(session.id), before);
    assert.deepEqual(
      (await events.list(session.id, 0, 100)).map((e) => e.type),
      [
        'session.created',
        'device.claimed',
        'device.claimed',
        'device.claimed',
        'device.active',
        'device.rejected',
        'device.revoked',
      ],
    );
  });

  it('counts each device once under concurrent revokes', async () => {
    const session = await liveSession(5);
    const device = newDevice();
    await devices.add(session.id, device, new Date(), claimed);
    await devices.add(session.id, newDevice(), new Date(), claimed);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        devices.transition(
          session.ownerId,
          session.id,
          device.id,
          ['pending', 'active'],
          'revoked',
          new Date(),
          event('device.revoked'),
          false,
        ),
      ),
    );
    assert.equal(results.filter((r) => r !== null).length, 1);
    assert.equal((await sessions.findById(session.id))?.stats.devices, 1);
  });

  it('revokes on an expired session only when a live one is not required', async () => {
    const session = await liveSession(5);
    const device = newDevice();
    await devices.add(session.id, device, new Date(), claimed);
    const later = new Date(session.expiresAt.getTime() + minute);
    const revoke = (requireLive: boolean) =>
      devices.transition(
        session.ownerId,
        session.id,
        device.id,
        ['active'],
        'revoked',
        later,
        event('device.revoked'),
        requireLive,
      );
    assert.equal(await revoke(true), null);
    assert.equal((await revoke(false))?.devices[0]?.status, 'revoked');
  });

  it('touches lastSeenAt at most once per interval, without an event', async () => {
    const session = await liveSession(5);
    const device = newDevice();
    await devices.add(session.id, device, new Date(), claimed);
    const lastSeen = async () => (await sessions.findById(session.id))?.devices[0]?.lastSeenAt;
    const t0 = new Date();
    await devices.touch(session.id, device.id, t0, minute);
    assert.deepEqual(await lastSeen(), t0);
    await devices.touch(session.id, device.id, new Date(t0.getTime() + minute - 1), minute);
    await devices.touch(session.id, device.id, new Date(t0.getTime() + minute), minute);
    assert.deepEqual(await lastSeen(), t0, 'not again within the interval');
    const t1 = new Date(t0.getTime() + minute + 1);
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        devices.touch(session.id, device.id, new Date(t1.getTime() + i), minute),
      ),
    );
    const seen = await lastSeen();
    assert.ok(seen !== undefined && seen !== null && seen.getTime() >= t1.getTime());
    assert.equal((await sessions.findById(session.id))?.seq, 2, 'no event');
    await devices.touch(session.id, 'no-such-device', new Date(), minute);
    await devices.touch({ $ne: null } as unknown as string, device.id, new Date(), minute);
  });

  it('counts active devices of live sessions only', async () => {
    const before = await devices.countActive(new Date());
    const live = await liveSession(5);
    await devices.add(live.id, newDevice(), new Date(), claimed);
    await devices.add(live.id, newDevice(), new Date(), claimed);
    await devices.add(live.id, newDevice({ status: 'pending' }), new Date(), claimed);
    const closed = await liveSession(5);
    await devices.add(closed.id, newDevice(), new Date(), claimed);
    await sessions.close(closed.ownerId, closed.id, new Date(), event('session.closed'));
    const short = await liveSession(5, { expiresAt: new Date(Date.now() + 10 * minute) });
    await devices.add(short.id, newDevice(), new Date(), claimed);

    assert.equal(await devices.countActive(new Date()), before + 3);
    assert.equal(await devices.countActive(new Date(Date.now() + 30 * minute)), before + 2);
  });

  it('bounds the count of active devices with maxTimeMS, so a slow database cannot stall /metrics', async () => {
    const sent: Document[] = [];
    const client = fixture.connection.getClient();
    const listener = (started: CommandStartedEvent): void => {
      if (started.commandName === 'aggregate') sent.push(started.command);
    };
    client.on('commandStarted', listener);
    try {
      await devices.countActive(new Date());
    } finally {
      client.off('commandStarted', listener);
    }
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.aggregate, 'sessions');
    assert.equal(sent[0]?.maxTimeMS, 2000);
  });
});
