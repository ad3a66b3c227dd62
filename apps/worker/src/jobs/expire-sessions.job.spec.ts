import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  atEveryCrashPoint,
  FakeGuard,
  lifecycleWorld,
  writesArriveLate,
  type LifecycleWorld,
} from '../../../../libs/files/test/in-memory-lifecycle.js';
import { EXPIRE_BATCH, ExpireSessionsJob } from './expire-sessions.job.js';

const now = new Date('2026-06-01T12:00:00Z');
const at = (offsetMs: number): Date => new Date(now.getTime() + offsetMs);

function world(due: number): LifecycleWorld {
  const w = lifecycleWorld();
  for (let i = 0; i < due; i++) w.sessions.add({ expiresAt: at(-1000 - i) });
  w.sessions.add({ id: 'live', expiresAt: at(1) });
  w.sessions.add({ id: 'closed', status: 'closed', expiresAt: at(-5000) });
  return w;
}

const statusOf = (w: LifecycleWorld, id: string): string | undefined =>
  w.sessions.sessions.get(id)?.status;

describe('ExpireSessionsJob', () => {
  it('expires every active session past expiresAt, in batches, and records session.expired', async () => {
    const w = world(2 * EXPIRE_BATCH + 3);
    const guard = new FakeGuard(w.ledger);
    assert.equal(await new ExpireSessionsJob(w.sessions).run({ now, guard }), 2 * EXPIRE_BATCH + 3);
    assert.equal(w.ledger.writes.filter((x) => x === 'sessions.expireDue').length, 3);
    const expired = [...w.sessions.sessions.values()].filter((s) => s.status === 'expired');
    assert.equal(expired.length, 2 * EXPIRE_BATCH + 3);
    assert.equal(
      w.sessions.events.filter((e) => e.type === 'session.expired').length,
      2 * EXPIRE_BATCH + 3,
    );
    assert.equal(statusOf(w, 'live'), 'active');
    assert.equal(statusOf(w, 'closed'), 'closed');
    assert.deepEqual(w.sessions.typesOf('closed'), []);
    assert.equal(await new ExpireSessionsJob(w.sessions).run({ now, guard }), 0);
  });

  it('expires nothing when its writes reach the database past the lease deadline', async () => {
    const w = world(3);
    const guard = new FakeGuard(w.ledger);
    writesArriveLate(w.ledger, guard);
    assert.equal(await new ExpireSessionsJob(w.sessions).run({ now, guard }), 0);
    assert.deepEqual(w.ledger.writes, ['sessions.expireDue'], 'sent, and refused');
    assert.equal([...w.sessions.sessions.values()].filter((s) => s.status === 'active').length, 4);
    assert.deepEqual(w.sessions.events, []);

    w.ledger.serverNow = Date.now;
    assert.equal(await new ExpireSessionsJob(w.sessions).run({ now, guard }), 3);
  });

  it('stops writing once its lease is lost, and the next run finishes', async () => {
    const points = await atEveryCrashPoint(
      () => world(EXPIRE_BATCH + 1),
      (w, guard) => new ExpireSessionsJob(w.sessions).run({ now, guard }),
      (w) => {
        const active = [...w.sessions.sessions.values()].filter((s) => s.status === 'active');
        assert.deepEqual(
          active.map((s) => s.id),
          ['live'],
        );
        assert.equal(w.sessions.events.length, EXPIRE_BATCH + 1, 'one session.expired each');
      },
    );
    assert.equal(points, 3);
  });
});
