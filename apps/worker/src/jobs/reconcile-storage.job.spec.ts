import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register } from 'prom-client';
import type { AppConfig } from '@app/config';
import type { FileRecord } from '@app/database';
import { storageKeyOf } from '@app/files';
import {
  atEveryCrashPoint,
  FakeGuard,
  fileIn,
  lifecycleWorld,
  writesArriveLate,
  type LifecycleWorld,
} from '../../../../libs/files/test/in-memory-lifecycle.js';
import { OBJECT_MISSING_METRIC, ReconcileStorageJob } from './reconcile-storage.job.js';

const GRACE_S = 3600;
const now = new Date();
const old = new Date(now.getTime() - GRACE_S * 1000);
const young = new Date(now.getTime() - GRACE_S * 1000 + 1000);
const config = { jobs: { orphanGraceSeconds: GRACE_S } } as unknown as AppConfig;
const multipart = (uploadId: string): FileRecord['upload'] => ({
  mode: 'multipart',
  uploadId,
  partSize: 8,
  partCount: 2,
});

const job = (w: LifecycleWorld): ReconcileStorageJob =>
  new ReconcileStorageJob(config, w.lifecycle, w.sessions, w.storage.asService());
const run = (w: LifecycleWorld, guard = new FakeGuard(w.ledger)): Promise<number> =>
  job(w).run({ now, guard });

async function missingTotal(): Promise<number> {
  const metric = register.getSingleMetric(OBJECT_MISSING_METRIC);
  assert.ok(metric);
  return (await metric.get()).values[0]?.value ?? 0;
}

interface Fixture {
  w: LifecycleWorld;
  /** Objects that must stay. */
  kept: string[];
  /** Objects that must go. */
  orphans: string[];
}

/** Live files of every status, orphans of every kind, some young enough to wait. */
function fixture(): Fixture {
  const w = lifecycleWorld();
  const kept: string[] = [];
  const orphans: string[] = [];
  for (const status of ['pending', 'verifying', 'ready'] as const) {
    // Live however old: a live record names them.
    const file = fileIn(w, 's-live', status);
    w.storage.put(file.storageKey, Buffer.from('live'), old);
    kept.push(file.storageKey);
  }
  const noRecord = storageKeyOf('s-gone', 'f-gone');
  w.storage.put(noRecord, Buffer.from('orphan'), old);
  const youngOrphan = storageKeyOf('s-gone', 'f-young');
  w.storage.put(youngOrphan, Buffer.from('maybe a declare in progress'), young);
  kept.push(youngOrphan);
  const rejected = fileIn(w, 's-live', 'rejected');
  w.storage.put(rejected.storageKey, Buffer.from('written again'), old);
  const foreign = 'sessions/s-live/thumbnails/x';
  w.storage.put(foreign, Buffer.from('?'), old);
  // A record of that id under another key does not make this key live.
  const elsewhere = fileIn(w, 's-other', 'ready');
  const misplaced = storageKeyOf('s-live', elsewhere.id);
  w.storage.put(misplaced, Buffer.from('misplaced'), old);
  kept.push(elsewhere.storageKey);
  orphans.push(noRecord, rejected.storageKey, foreign, misplaced);
  // Outside the files' prefix: not the reconciliation's business.
  w.storage.put('backups/dump', Buffer.from('other'), old);
  kept.push('backups/dump');
  return { w, kept, orphans };
}

describe('ReconcileStorageJob: objects', () => {
  it('deletes objects no live record names once older than the grace, and nothing live', async () => {
    const { w, kept, orphans } = fixture();
    assert.equal(await run(w), orphans.length);
    for (const key of orphans) assert.equal(w.storage.objects.has(key), false, key);
    for (const key of kept) assert.equal(w.storage.objects.has(key), true, key);
    assert.equal(w.storage.count('deleteObjects'), 1);
    assert.equal(await run(w), 0);
  });

  it('sends one DeleteObjects per listed page', async () => {
    const w = lifecycleWorld();
    w.storage.pageSize = 2;
    const orphans = ['a', 'b', 'c', 'd', 'e'].map((id) => storageKeyOf('s-gone', `f-${id}`));
    for (const key of orphans) w.storage.put(key, Buffer.from('x'), old);
    // Sorts after them: the last page holds an orphan and a live object.
    const live = fileIn(w, 's-live', 'ready');
    w.storage.put(live.storageKey, Buffer.from('live'), old);
    assert.equal(await run(w), orphans.length);
    assert.deepEqual(
      w.storage.calls.filter((c) => c.op === 'deleteObjects').map((c) => c.key),
      [orphans.slice(0, 2).join(','), orphans.slice(2, 4).join(','), orphans[4]],
    );
    assert.equal(w.storage.objects.has(live.storageKey), true);
  });

  it('flags the ready records whose object vanished, wherever they fall in the listing', async () => {
    const w = lifecycleWorld();
    w.storage.pageSize = 2;
    const ready = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((s) => fileIn(w, `s-${s}`, 'ready'));
    // Lost: before the first listed key, between two pages, inside a page, after the last.
    const lost = [ready[0], ready[2], ready[4], ready[6]].map((f) => {
      assert.ok(f);
      w.storage.objects.delete(f.storageKey);
      return f;
    });
    const before = await missingTotal();
    const warned: string[] = [];
    const reconcile = job(w);
    (reconcile as unknown as { logger: { warn: (m: string) => void } }).logger = {
      warn: (m) => warned.push(m),
    };
    assert.equal(await reconcile.run({ now, guard: new FakeGuard(w.ledger) }), lost.length);
    assert.deepEqual([...w.lifecycle.missing].sort(), lost.map((f) => f.id).sort());
    assert.equal((await missingTotal()) - before, lost.length);
    assert.equal(warned.length, lost.length);
    for (const f of lost) {
      assert.ok(warned.some((m) => m.includes(f.id) && m.includes(f.sessionId)));
    }
    assert.ok(
      warned.every((m) => !m.includes('photo.png')),
      'ids only, never names',
    );
    // Flagged once.
    assert.equal(await run(w), 0);
    assert.equal((await missingTotal()) - before, lost.length);
  });

  it('never flags an object written after its page was listed, nor a file that left ready meanwhile', async () => {
    const w = lifecycleWorld();
    const late = fileIn(w, 's-late', 'ready');
    const deletedMeanwhile = fileIn(w, 's-del', 'ready', { object: false });
    const lateBytes = w.storage.objects.get(late.storageKey);
    assert.ok(lateBytes);
    w.storage.objects.delete(late.storageKey);
    w.storage.hook = async (op, key) => {
      if (op !== 'headObject') return;
      if (key === late.storageKey) w.storage.put(key, lateBytes);
      if (key === deletedMeanwhile.storageKey) {
        await w.files.transition(deletedMeanwhile.id, ['ready'], 'deleted', now);
      }
    };
    assert.equal(await run(w), 0);
    assert.deepEqual([...w.lifecycle.missing], []);
  });
});

describe('ReconcileStorageJob: what is not lost', () => {
  it('never flags a file of an ended session, whose objects the purge is removing', async () => {
    const w = lifecycleWorld();
    w.sessions.add({ id: 's-closed', status: 'closed' });
    w.sessions.add({ id: 's-expired', status: 'expired' });
    w.sessions.add({ id: 's-live' });
    // The purge deleted these objects and has not yet removed the records (storage first).
    const purging = [
      fileIn(w, 's-closed', 'ready', { object: false }),
      fileIn(w, 's-expired', 'ready', { object: false }),
    ];
    const lost = fileIn(w, 's-live', 'ready', { object: false });
    const before = await missingTotal();
    assert.equal(await run(w), 1);
    assert.deepEqual([...w.lifecycle.missing], [lost.id]);
    assert.equal((await missingTotal()) - before, 1);
    for (const f of purging) assert.equal(w.lifecycle.missing.has(f.id), false, f.sessionId);
  });

  it('never flags a session that ends after the object was found missing either', async () => {
    const w = lifecycleWorld();
    const session = w.sessions.add({ id: 's-closing' });
    const file = fileIn(w, session.id, 'ready', { object: false });
    // The close and its purge's delete come between the listing and the confirmation.
    w.storage.hook = (op) => {
      if (op === 'headObject') session.status = 'closed';
      return Promise.resolve();
    };
    assert.equal(await run(w), 0);
    assert.equal(w.lifecycle.missing.has(file.id), false);
  });

  it('never flags a file that is not ready: pending or verifying ones may have no object yet', async () => {
    const w = lifecycleWorld();
    w.sessions.add({ id: 's-live' });
    const notReady = (['pending', 'verifying', 'rejected', 'deleted'] as const).map((status) =>
      fileIn(w, 's-live', status, { object: false }),
    );
    assert.equal(await run(w), 0);
    assert.deepEqual([...w.lifecycle.missing], []);
    assert.equal(w.ledger.writes.filter((x) => x.startsWith('lifecycle.flag')).length, 0);
    assert.equal(notReady.length, 4);
  });

  it('flags nothing when its writes reach the database past the lease deadline', async () => {
    const w = lifecycleWorld();
    const lost = fileIn(w, 's-live', 'ready', { object: false });
    const guard = new FakeGuard(w.ledger);
    writesArriveLate(w.ledger, guard);
    assert.equal(await run(w, guard), 0);
    assert.deepEqual(w.ledger.writes, [`lifecycle.flagObjectMissing:${lost.id}`], 'sent');
    assert.deepEqual([...w.lifecycle.missing], []);

    w.ledger.serverNow = Date.now;
    assert.equal(await run(w, guard), 1);
    assert.deepEqual([...w.lifecycle.missing], [lost.id]);
  });
});

describe('ReconcileStorageJob: multipart uploads', () => {
  it('aborts uploads no pending record knows once older than the grace', async () => {
    const w = lifecycleWorld();
    const known = fileIn(w, 's1', 'pending', { upload: multipart('u-known'), object: false });
    w.storage.openUpload(known.storageKey, 'u-known', old);
    const swapped = fileIn(w, 's1', 'pending', { upload: multipart('u-current'), object: false });
    w.storage.openUpload(swapped.storageKey, 'u-stale', old);
    const settled = fileIn(w, 's1', 'verifying', { upload: multipart('u-settled'), object: false });
    w.storage.openUpload(settled.storageKey, 'u-settled', old);
    w.storage.openUpload(storageKeyOf('s1', 'f-crashed-declare'), 'u-orphan', old);
    w.storage.openUpload(storageKeyOf('s1', 'f-declaring'), 'u-young', young);
    w.storage.pageSize = 2;
    assert.equal(await run(w), 3, 'the swapped upload, the one of the verifying file, the orphan');
    assert.deepEqual([...w.storage.uploads.keys()].sort(), ['u-current', 'u-known', 'u-young']);
  });
});

describe('ReconcileStorageJob: a crash', () => {
  it('stops writing once its lease is lost, and the next run finishes', async () => {
    const fixtures = new WeakMap<LifecycleWorld, Fixture>();
    const points = await atEveryCrashPoint(
      () => {
        const f = fixture();
        const lost = fileIn(f.w, 's-lost', 'ready', { object: false });
        f.w.storage.openUpload(storageKeyOf('s1', 'f-crashed-declare'), 'u-orphan', old);
        f.w.storage.pageSize = 3;
        fixtures.set(f.w, { ...f, kept: [...f.kept, lost.id] });
        return f.w;
      },
      (w, guard) => run(w, guard),
      (w) => {
        const f = fixtures.get(w);
        assert.ok(f);
        for (const key of f.orphans) assert.equal(w.storage.objects.has(key), false, key);
        for (const key of f.kept.slice(0, -1)) assert.equal(w.storage.objects.has(key), true, key);
        assert.equal(w.lifecycle.missing.size, 1);
        assert.equal(w.storage.uploads.size, 0);
      },
    );
    assert.ok(points > 3, String(points));
  });
});
