import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError, newPublicId, type UserPrincipal } from '@app/common';
import {
  authServices,
  type AuthServices,
} from '../../../../../test/support/fakes/auth-services.js';
import { InMemorySessionStore } from '../../../../../test/support/fakes/in-memory-sessions.js';
import { PairingSecrets } from '../auth/index.js';
import { DeviceAccessService } from '../device-access/index.js';
import { SessionAccessService } from '../sessions/index.js';
import { PairingMetrics } from './pairing-metrics.js';
import { PairingService } from './pairing.service.js';

const owner: UserPrincipal = { kind: 'user', userId: 'owner-1', email: 'owner@example.com' };

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof AppError ? err.code : `thrown: ${String(err)}`;
  }
  return 'ok';
}

describe('PairingService.create (in-memory repositories)', () => {
  let services: AuthServices;
  const metrics: PairingMetrics[] = [];

  before(async () => {
    services = await authServices();
  });
  after(() => {
    for (const m of metrics) m.onModuleDestroy();
  });

  async function rig() {
    const store = new InMemorySessionStore();
    const now = new Date();
    const session = await store.sessions.create(
      {
        id: newPublicId(),
        ownerId: owner.userId,
        name: 'Photos',
        guestPermissions: ['download'],
        requireApproval: false,
        limits: {
          maxDevices: 3,
          maxFiles: 10,
          maxTotalBytes: 1000,
          maxFileBytes: 100,
          maxDownloadsPerFile: 1,
        },
        createdAt: now,
        expiresAt: new Date(now.getTime() + 3_600_000),
      },
      { type: 'session.created', data: {} },
    );
    const pairingMetrics = new PairingMetrics(store.devices);
    metrics.push(pairingMetrics);
    const service = new PairingService(
      new SessionAccessService(
        store.sessions,
        new DeviceAccessService(store.sessions, store.devices),
      ),
      store.sessions,
      store.pairings,
      new PairingSecrets(services.keys),
      pairingMetrics,
      services.config,
    );
    const eventTypes = () =>
      store.events.filter((e) => e.sessionId === session.id).map((e) => e.type);
    return { store, session, service, eventTypes };
  }

  it('stores the pairing before recording pairing.created for it', async () => {
    const { store, session, service, eventTypes } = await rig();
    const created = await service.create(owner, session.id);
    assert.ok(store.pairingRecords.has(created.id));
    assert.deepEqual(eventTypes(), ['session.created', 'pairing.created']);
    assert.equal(store.events.at(-1)?.data.pairingId, created.id);
    const order = store.calls.filter(
      (c) => c.startsWith('pairings.create') || c.startsWith('recordEvent'),
    );
    assert.deepEqual(order, [`pairings.create:${created.id}`, `recordEvent:${session.id}`]);
  });

  it('records no event for a pairing whose insert failed', async () => {
    const { store, session, service, eventTypes } = await rig();
    store.failure = { error: new Error('connection reset'), onlyCalls: 'pairings.create' };
    assert.equal(await code(service.create(owner, session.id)), 'thrown: Error: connection reset');
    assert.deepEqual(eventTypes(), ['session.created']);
    assert.equal(store.get(session.id)?.seq, 1);
    assert.equal(store.pairingRecords.size, 0);
  });

  it('answers 410 and keeps nothing when the session ends between the read and the event', async () => {
    const { store, session, service, eventTypes } = await rig();
    store.beforeCall = (name) => {
      if (name === `recordEvent:${session.id}`) {
        const stored = store.get(session.id);
        if (stored !== undefined) stored.status = 'closed';
      }
    };
    assert.equal(await code(service.create(owner, session.id)), 'SESSION_EXPIRED');
    assert.deepEqual(eventTypes(), ['session.created']);
    assert.equal(store.pairingRecords.size, 0, 'the pairing inserted first is gone again');
  });
});
