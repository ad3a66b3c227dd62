import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppConfig } from '@app/config';
import {
  atEveryCrashPoint,
  FakeGuard,
  fileIn,
  lifecycleWorld,
  writesArriveLate,
  type LifecycleWorld,
} from '../../../../libs/files/test/in-memory-lifecycle.js';
import { PRUNE_BATCH, PruneRecordsJob } from './prune-records.job.js';

const now = new Date('2026-06-01T12:00:00Z');
const RETENTION_S = 7 * 86_400;
const config = { jobs: { sessionRetentionSeconds: RETENTION_S } } as unknown as AppConfig;
const longAgo = new Date(now.getTime() - RETENTION_S * 1000 - 1);

const job = (w: LifecycleWorld): PruneRecordsJob =>
  new PruneRecordsJob(config, w.sessions, w.lifecycle);

function world(prunable: number): LifecycleWorld {
  const w = lifecycleWorld();
  for (let i = 0; i < prunable; i++) {
    const s = w.sessions.add({
      status: i % 2 === 0 ? 'closed' : 'expired',
      filesPurgedAt: longAgo,
    });
    w.sessions.events.push({ sessionId: s.id, type: 'session.purged', data: { files: 0 } });
  }
  w.sessions.add({ id: 'recent', status: 'closed', filesPurgedAt: new Date(now.getTime() - 1000) });
  w.sessions.add({ id: 'unpurged', status: 'expired' });
  w.sessions.add({ id: 'live', status: 'active' });
  w.sessions.add({ id: 'late', status: 'closed', filesPurgedAt: longAgo });
  // A declare that raced the close: its record appeared after the purge.
  fileIn(w, 'late', 'pending');
  return w;
}

describe('PruneRecordsJob', () => {
  it('prunes ended sessions purged longer ago than the retention, with their events', async () => {
    const w = world(PRUNE_BATCH + 20);
    const done = await job(w).run({ now, guard: new FakeGuard(w.ledger) });
    assert.equal(done, PRUNE_BATCH + 20 + 1, 'pruned, plus the one handed back');
    assert.deepEqual([...w.sessions.sessions.keys()].sort(), [
      'late',
      'live',
      'recent',
      'unpurged',
    ]);
    assert.deepEqual(w.sessions.events, []);
  });

  it('hands a session that gained a file after its purge back to the purge, keeping the file', async () => {
    const w = world(0);
    await job(w).run({ now, guard: new FakeGuard(w.ledger) });
    assert.equal(w.sessions.sessions.get('late')?.filesPurgedAt, null);
    assert.equal((await w.lifecycle.findBySessions(['late'], 10)).length, 1);
    assert.equal(await job(w).run({ now, guard: new FakeGuard(w.ledger) }), 0);
  });

  it('prunes and hands back nothing when its writes reach the database past the lease deadline', async () => {
    const w = world(3);
    const before = [...w.sessions.sessions.keys()].sort();
    const guard = new FakeGuard(w.ledger);
    writesArriveLate(w.ledger, guard);
    assert.equal(await job(w).run({ now, guard }), 0);
    assert.equal(w.ledger.writes.filter((x) => x.startsWith('sessions.prune')).length, 3, 'sent');
    assert.deepEqual([...w.sessions.sessions.keys()].sort(), before);
    assert.equal(w.sessions.events.length, 3, 'their events kept');
    assert.deepEqual(w.sessions.sessions.get('late')?.filesPurgedAt, longAgo, 'not reopened');

    w.ledger.serverNow = Date.now;
    assert.equal(await job(w).run({ now, guard }), 3 + 1);
  });

  it('stops writing once its lease is lost, and the next run finishes', async () => {
    const points = await atEveryCrashPoint(
      () => world(3),
      (w, guard) => job(w).run({ now, guard }),
      (w) => {
        assert.deepEqual([...w.sessions.sessions.keys()].sort(), [
          'late',
          'live',
          'recent',
          'unpurged',
        ]);
        assert.equal(w.sessions.sessions.get('late')?.filesPurgedAt, null);
      },
    );
    assert.equal(points, 5);
  });
});
