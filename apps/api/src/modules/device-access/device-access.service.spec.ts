import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import type { DevicePrincipal } from '@app/common';
import type { DeviceStatus, NewSession } from '@app/database';
import { InMemorySessionStore } from '../../../../../test/support/fakes/in-memory-sessions.js';
import { DeviceAccessService } from './device-access.service.js';

const T0 = new Date('2026-03-01T12:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const limits = {
  maxDevices: 4,
  maxFiles: 10,
  maxTotalBytes: 1_000_000,
  maxFileBytes: 100_000,
  maxDownloadsPerFile: 5,
};

/** A store with session s-1 (expires at T0 + 1 h) and device d-1 in `status`. */
async function world(status: DeviceStatus = 'active') {
  const store = new InMemorySessionStore();
  const session: NewSession = {
    id: 's-1',
    ownerId: 'u-1',
    name: 'Holiday photos',
    guestPermissions: ['download'],
    requireApproval: status !== 'active',
    limits,
    createdAt: T0,
    expiresAt: at(3600),
  };
  await store.sessions.create(session, { type: 'session.created', data: {} });
  const added = await store.devices.add(
    's-1',
    {
      id: 'd-1',
      name: 'Phone',
      userAgent: null,
      status: status === 'active' ? 'active' : 'pending',
      permissions: ['download'],
      pairingId: 'p-1',
      createdAt: T0,
    },
    T0,
    { type: 'device.claimed', data: {} },
  );
  assert.ok(added.ok);
  if (status === 'rejected' || status === 'revoked') {
    const decided = await store.devices.transition(
      'u-1',
      's-1',
      'd-1',
      ['pending'],
      status,
      T0,
      { type: `device.${status}`, data: {} },
      false,
    );
    assert.ok(decided !== null);
  }
  store.calls.length = 0;
  return { store, service: new DeviceAccessService(store.sessions, store.devices) };
}

const principal = (deviceId = 'd-1', sessionId = 's-1'): DevicePrincipal => ({
  kind: 'device',
  deviceId,
  sessionId,
  permissions: ['download'],
});

// Lets the un-awaited touch (a resolved fake promise) and its catch handler run.
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('DeviceAccessService', () => {
  it('lets an active device of an active session in, with one read, and keeps that read', async () => {
    const { store, service } = await world();
    const who = principal();
    assert.equal(await service.authenticate(who, at(10)), true);
    assert.deepEqual(
      store.calls.filter((c) => c.startsWith('findById')),
      ['findById:s-1'],
    );
    const session = service.sessionOf(who);
    assert.equal(session?.id, 's-1');
    assert.equal(session.devices[0]?.id, 'd-1');
    // Per principal object: another request's principal has no read of its own yet.
    assert.equal(service.sessionOf(principal()), undefined);
  });

  it('refuses unknown sessions and devices, and devices that are not active', async () => {
    const { service } = await world();
    assert.equal(await service.authenticate(principal('d-1', 's-unknown'), at(10)), false);
    assert.equal(await service.authenticate(principal('d-other'), at(10)), false);
    for (const status of ['pending', 'rejected', 'revoked'] as const) {
      const other = await world(status);
      const who = principal();
      assert.equal(await other.service.authenticate(who, at(10)), false, status);
      assert.equal(other.service.sessionOf(who), undefined, status);
    }
  });

  it('refuses the next request once the device is revoked (no caching between requests)', async () => {
    const { store, service } = await world();
    assert.equal(await service.authenticate(principal(), at(10)), true);
    await store.devices.transition(
      'u-1',
      's-1',
      'd-1',
      ['active'],
      'revoked',
      at(11),
      { type: 'device.revoked', data: {} },
      false,
    );
    assert.equal(await service.authenticate(principal(), at(12)), false);
  });

  it('refuses a closed session, and an active one at and after its expiresAt', async () => {
    const { store, service } = await world();
    assert.equal(await service.authenticate(principal(), at(3599)), true);
    // Stored 'active' still, but past expiresAt: refused at once, before any job runs.
    assert.equal(await service.authenticate(principal(), at(3600)), false);
    assert.equal(await service.authenticate(principal(), at(7200)), false);
    await store.sessions.close('u-1', 's-1', at(20), { type: 'session.closed', data: {} });
    assert.equal(await service.authenticate(principal(), at(30)), false);
    const expired = await world();
    const record = expired.store.get('s-1');
    assert.ok(record !== undefined);
    record.status = 'expired';
    assert.equal(await expired.service.authenticate(principal(), at(10)), false);
  });

  it('lets a failing lookup through as an error, never as an answer', async () => {
    const { store, service } = await world();
    store.failure = { error: new Error('database unreachable') };
    await assert.rejects(service.authenticate(principal(), at(10)), /database unreachable/);
  });

  it('writes lastSeenAt at most once a minute, without waiting for it', async () => {
    const { store, service } = await world();
    const touches = (): string[] => store.calls.filter((c) => c.startsWith('touch:'));
    // Never seen: touched.
    assert.equal(await service.authenticate(principal(), at(0)), true);
    await settle();
    assert.deepEqual(touches(), ['touch:d-1']);
    assert.deepEqual(store.get('s-1')?.devices[0]?.lastSeenAt, at(0));
    // Within the minute: no write.
    assert.equal(await service.authenticate(principal(), at(30)), true);
    assert.equal(await service.authenticate(principal(), at(60)), true);
    await settle();
    assert.equal(touches().length, 1);
    // Older than a minute: written again.
    assert.equal(await service.authenticate(principal(), at(61)), true);
    await settle();
    assert.equal(touches().length, 2);
    assert.deepEqual(store.get('s-1')?.devices[0]?.lastSeenAt, at(61));
  });

  it('does not wait for a lastSeenAt write that hangs', async () => {
    const { store, service } = await world();
    store.devices.touch = () => new Promise<void>(() => undefined);
    assert.equal(await service.authenticate(principal(), at(0)), true);
  });

  it('answers even when the lastSeenAt write fails, and logs a warning', async (t) => {
    const warnings: string[] = [];
    const recorder: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => warnings.push(String(message)),
    };
    Logger.overrideLogger(recorder);
    t.after(() => {
      Logger.overrideLogger(new ConsoleLogger());
    });
    const { store, service } = await world();
    store.failure = { error: new Error('write refused'), onlyCalls: 'touch:' };
    assert.equal(await service.authenticate(principal(), at(0)), true);
    await settle();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /d-1.*write refused/);
  });
});
