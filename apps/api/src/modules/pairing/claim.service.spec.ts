import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AppError, newPublicId } from '@app/common';
import type { DeviceRecord, SessionLimits } from '@app/database';
import {
  authServices,
  type AuthServices,
} from '../../../../../test/support/fakes/auth-services.js';
import { InMemorySessionStore } from '../../../../../test/support/fakes/in-memory-sessions.js';
import { PairingSecrets } from '../auth/index.js';
import { ClaimService } from './claim.service.js';
import { DeviceGrantsService } from './device-grants.service.js';
import { hashSecret, newPollSecret } from './pairing-codes.js';
import { PairingMetrics } from './pairing-metrics.js';

const minute = 60_000;

const limits = (maxDevices: number): SessionLimits => ({
  maxDevices,
  maxFiles: 10,
  maxTotalBytes: 1000,
  maxFileBytes: 100,
  maxDownloadsPerFile: 1,
});

const revokedDevice = (): DeviceRecord => ({
  id: newPublicId(),
  name: 'Old phone',
  userAgent: null,
  status: 'revoked',
  permissions: [],
  pairingId: newPublicId(),
  createdAt: new Date(),
  lastSeenAt: null,
  decidedAt: new Date(),
});

/** What a claim rejected with: its AppError code and message, or 'ok'. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return `${err.code}: ${err.message}`;
  }
  return 'ok';
}

describe('ClaimService (in-memory repositories)', () => {
  let services: AuthServices;
  const metrics: PairingMetrics[] = [];

  before(async () => {
    services = await authServices();
  });
  after(() => {
    for (const m of metrics) m.onModuleDestroy();
  });

  async function rig(options: { maxDevices?: number; requireApproval?: boolean } = {}) {
    const store = new InMemorySessionStore();
    const now = new Date();
    const session = await store.sessions.create(
      {
        id: newPublicId(),
        ownerId: 'owner-1',
        name: 'Photos',
        guestPermissions: ['download'],
        requireApproval: options.requireApproval ?? false,
        limits: limits(options.maxDevices ?? 3),
        createdAt: now,
        expiresAt: new Date(now.getTime() + 60 * minute),
      },
      { type: 'session.created', data: {} },
    );
    const pairingMetrics = new PairingMetrics(store.devices);
    metrics.push(pairingMetrics);
    const claims = new ClaimService(
      store.pairings,
      store.sessions,
      store.devices,
      new PairingSecrets(services.keys),
      new DeviceGrantsService(services.accessTokens),
      pairingMetrics,
      services.config,
    );
    /** A fresh pairing of the session; returns its id and secret. */
    const pairing = async () => {
      const secret = newPollSecret();
      const id = newPublicId();
      await store.pairings.create({
        id,
        sessionId: session.id,
        ownerId: session.ownerId,
        secretHash: hashSecret(secret),
        codeHash: randomBytes(32).toString('hex'),
        createdAt: now,
        expiresAt: new Date(now.getTime() + 2 * minute),
      });
      return { id, secret };
    };
    const stored = () => {
      const found = store.get(session.id);
      assert.ok(found !== undefined);
      return found;
    };
    return { store, session, claims, pairing, stored };
  }

  it('answers a session at its history cap with its own 409, and gives the pairing back', async () => {
    const { store, claims, pairing, stored } = await rig({ maxDevices: 1 });
    // 20 devices came and were revoked: no place is taken, yet the history is full.
    stored().devices.push(...Array.from({ length: 20 }, revokedDevice));
    const { id, secret } = await pairing();
    assert.equal(
      await refusal(claims.claim({ secret }, 'Phone/1.0')),
      'CONFLICT: This session has had too many devices; start a new session',
    );
    assert.equal(stored().devices.length, 20);
    assert.equal(store.pairingRecords.get(id)?.claimedAt, null, 'the pairing is unspent');
  });

  it('answers 201 with a token, or 202 with a poll secret when approval is required', async () => {
    const open = await rig();
    const active = await open.claims.claim({ secret: (await open.pairing()).secret }, 'A/1');
    assert.equal(active.httpStatus, 201);
    assert.equal(active.body.status, 'active');
    assert.ok('accessToken' in active.body && active.body.accessToken.length > 0);
    const guarded = await rig({ requireApproval: true });
    const pending = await guarded.claims.claim({ secret: (await guarded.pairing()).secret }, 'B/1');
    assert.equal(pending.httpStatus, 202);
    assert.equal(pending.body.status, 'pending');
    assert.ok('pollSecret' in pending.body && !('accessToken' in pending.body));
  });

  it('answers a full session with the 409 that revoking a device cures', async () => {
    const { claims, pairing, stored } = await rig({ maxDevices: 1 });
    assert.equal(await refusal(claims.claim({ secret: (await pairing()).secret }, 'A/1')), 'ok');
    assert.equal(
      await refusal(claims.claim({ secret: (await pairing()).secret }, 'B/1')),
      'CONFLICT: The session already has as many devices as it allows',
    );
    assert.equal(stored().stats.devices, 1);
  });

  describe('when the device add fails', () => {
    const outage = new Error('connection reset');

    it('gives the pairing back when the add did not commit', async () => {
      const { store, claims, pairing, stored } = await rig();
      const { id, secret } = await pairing();
      store.failure = { error: outage, onlyCalls: 'add:' };
      await assert.rejects(claims.claim({ secret }, 'A/1'), outage);
      assert.equal(store.pairingRecords.get(id)?.claimedAt, null);
      store.failure = undefined;
      assert.equal(await refusal(claims.claim({ secret }, 'A/1')), 'ok');
      assert.equal(stored().devices.length, 1);
    });

    it('keeps the pairing spent when the add committed and only its reply was lost', async () => {
      const { store, claims, pairing, stored } = await rig();
      const { id, secret } = await pairing();
      store.failure = { error: outage, onlyCalls: 'add:', lostReply: true };
      await assert.rejects(claims.claim({ secret }, 'A/1'), outage);
      const [device] = stored().devices;
      assert.equal(stored().devices.length, 1);
      assert.equal(store.pairingRecords.get(id)?.deviceId, device?.id);
      store.failure = undefined;
      // The same secret again: spent, so one pairing never makes two devices.
      assert.equal(
        await refusal(claims.claim({ secret }, 'A/1')),
        'UNAUTHENTICATED: Unknown, spent or expired pairing secret or code',
      );
      assert.equal(stored().devices.length, 1);
    });

    it('keeps the pairing spent when it cannot tell (the re-read fails too)', async () => {
      const { store, claims, pairing, stored } = await rig();
      const { id, secret } = await pairing();
      store.beforeCall = (name) => {
        if (name.startsWith('add:')) {
          store.failure = { error: outage, onlyCalls: 'add:', lostReply: true };
        } else if (name.startsWith('findById:') && store.failure !== undefined) {
          store.failure = { error: outage, onlyCalls: 'findById:' };
        }
      };
      await assert.rejects(claims.claim({ secret }, 'A/1'), outage);
      assert.equal(store.calls.filter((c) => c.startsWith('pairings.release')).length, 0);
      assert.notEqual(store.pairingRecords.get(id)?.claimedAt, null);
      assert.equal(stored().devices.length, 1);
    });
  });
});
