import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, newPublicId, type DevicePrincipal, type UserPrincipal } from '@app/common';
import type { SessionRecord, SessionRepository } from '@app/database';
import type { DeviceAccessService } from '../device-access/index.js';
import { SessionAccessService } from './session-access.service.js';

const now = new Date('2026-01-01T12:00:00.000Z');

const record = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: newPublicId(),
  ownerId: 'owner-1',
  name: 'Photos',
  status: 'active',
  guestPermissions: ['upload', 'download'],
  requireApproval: false,
  limits: { maxDevices: 2, maxFiles: 3, maxTotalBytes: 4, maxFileBytes: 4, maxDownloadsPerFile: 5 },
  stats: { files: 0, bytes: 0, devices: 0 },
  devices: [],
  createdAt: now,
  expiresAt: new Date(now.getTime() + 60_000),
  closedAt: null,
  seq: 1,
  ...overrides,
});

const owner: UserPrincipal = { kind: 'user', userId: 'owner-1', email: 'a@example.com' };
const stranger: UserPrincipal = { kind: 'user', userId: 'owner-2', email: 'b@example.com' };

function rig(stored: SessionRecord[], deviceReads = new Map<DevicePrincipal, SessionRecord>()) {
  const reads: string[] = [];
  const sessions = {
    findById: (id: string) => {
      reads.push(id);
      return Promise.resolve(stored.find((s) => s.id === id) ?? null);
    },
  } as unknown as SessionRepository;
  const devices = {
    sessionOf: (p: DevicePrincipal) => deviceReads.get(p),
  } as unknown as DeviceAccessService;
  return { access: new SessionAccessService(sessions, devices), reads };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err.code;
  }
  return 'ok';
}

describe('SessionAccessService', () => {
  it('gives the owner their session and everyone else the same 404 as an unknown id', async () => {
    const mine = record();
    const { access, reads } = rig([mine]);
    assert.equal(await access.owned(owner, mine.id), mine);
    assert.equal(await code(access.owned(stranger, mine.id)), 'NOT_FOUND');
    assert.equal(await code(access.owned(owner, newPublicId())), 'NOT_FOUND');
    // A malformed id is refused before any read.
    const before = reads.length;
    assert.equal(await code(access.owned(owner, 'not an id')), 'NOT_FOUND');
    assert.equal(reads.length, before);
  });

  it("hands a device its token check's read of its own session, without reading again", async () => {
    const mine = record();
    const device: DevicePrincipal = {
      kind: 'device',
      deviceId: newPublicId(),
      sessionId: mine.id,
      permissions: [],
    };
    const { access, reads } = rig([mine], new Map([[device, mine]]));
    assert.equal(await access.readable(device, mine.id), mine);
    assert.equal(reads.length, 0);
    assert.equal(await code(access.readable(device, newPublicId())), 'NOT_FOUND');
    const unchecked = { ...device };
    assert.equal(await code(access.readable(unchecked, mine.id)), 'NOT_FOUND');
    assert.equal(reads.length, 0);
  });

  it('refuses writes to a closed or expired session with 410', () => {
    const { access } = rig([]);
    access.assertLive(record(), now);
    for (const session of [
      record({ status: 'closed' }),
      record({ status: 'expired' }),
      record({ expiresAt: now }),
    ]) {
      assert.throws(
        () => access.assertLive(session, now),
        (err: unknown) => err instanceof AppError && err.code === 'SESSION_EXPIRED',
      );
    }
  });
});
