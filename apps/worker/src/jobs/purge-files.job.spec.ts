import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileRecord } from '@app/database';
import {
  atEveryCrashPoint,
  FakeGuard,
  fileIn,
  lifecycleWorld,
  writesArriveLate,
  type LifecycleWorld,
} from '../../../../libs/files/test/in-memory-lifecycle.js';
import { PurgeFilesJob } from './purge-files.job.js';
import { FILES_PER_BATCH } from './steps/ended-sessions-purge.js';
import { MAX_REFUSED_PER_RUN, ObjectsNotDeletedError } from './steps/remove-objects.js';

const now = new Date();
const past = new Date(now.getTime() - 1000);
const multipart = (uploadId: string): FileRecord['upload'] => ({
  mode: 'multipart',
  uploadId,
  partSize: 8,
  partCount: 2,
});

const job = (w: LifecycleWorld): PurgeFilesJob =>
  new PurgeFilesJob(w.sessions, w.lifecycle, w.storage.asService());
const run = (w: LifecycleWorld, guard = new FakeGuard(w.ledger)): Promise<number> =>
  job(w).run({ now, guard });

interface Fixture {
  w: LifecycleWorld;
  live: FileRecord[];
  ended: FileRecord[];
}

/** Two ended sessions with files in every status, and a live session whose files must stay. */
function fixture(endedFiles = 2): Fixture {
  const w = lifecycleWorld();
  const closed = w.sessions.add({ id: 'closed', status: 'closed' });
  const expired = w.sessions.add({ id: 'expired', status: 'expired' });
  const live = w.sessions.add({ id: 'live' });
  const ended: FileRecord[] = [
    fileIn(w, closed.id, 'pending', { upload: multipart('u-closed') }),
    fileIn(w, closed.id, 'verifying'),
    fileIn(w, closed.id, 'rejected', { object: false }),
    fileIn(w, expired.id, 'deleted', { object: false }),
  ];
  for (let i = 0; i < endedFiles; i++) ended.push(fileIn(w, expired.id, 'ready'));
  const liveFiles = [
    fileIn(w, live.id, 'ready'),
    fileIn(w, live.id, 'pending', { upload: multipart('u-live') }),
    // Rejected, its URL still valid: the object a re-PUT wrote stays until the URL expires.
    fileIn(w, live.id, 'rejected', { uploadUrlExpiresAt: new Date(now.getTime() + 60_000) }),
  ];
  return { w, live: liveFiles, ended };
}

function assertLiveUntouched(w: LifecycleWorld, live: readonly FileRecord[]): void {
  for (const file of live) {
    assert.equal(w.files.docs.has(file.id), true, `record of ${file.status} file`);
    assert.equal(w.storage.objects.has(file.storageKey), true, `object of ${file.status} file`);
  }
  assert.equal(w.storage.uploads.has('u-live'), true);
  assert.equal(w.sessions.sessions.get('live')?.filesPurgedAt, null);
}

function assertEndedPurged(w: LifecycleWorld, ended: readonly FileRecord[]): void {
  for (const file of ended) {
    assert.equal(w.files.docs.has(file.id), false, `record of ${file.status} file`);
    assert.equal(w.storage.objects.has(file.storageKey), false, `object of ${file.status} file`);
  }
  assert.equal(w.storage.uploads.has('u-closed'), false, 'the open upload aborted');
  for (const id of ['closed', 'expired']) {
    assert.equal(w.sessions.sessions.get(id)?.filesPurgedAt, now, id);
    assert.deepEqual(w.sessions.typesOf(id), ['session.purged'], id);
  }
}

describe('PurgeFilesJob: ended sessions', () => {
  it('removes every object then every record of closed and expired sessions, and marks them purged', async () => {
    const { w, live, ended } = fixture();
    assert.equal(await run(w), ended.length);
    assertEndedPurged(w, ended);
    assertLiveUntouched(w, live);
    assert.deepEqual(
      w.sessions.events.map((e) => [e.sessionId, e.data]),
      [
        ['closed', { files: 3 }],
        ['expired', { files: 3 }],
      ],
    );
    assert.equal(await run(w), 0, 'nothing left to do');
  });

  it('deletes storage first: no record goes while its object is still stored', async () => {
    const { w, ended } = fixture();
    w.storage.hook = (op) => {
      if (op === 'deleteObjects') {
        assert.equal(ended.filter((f) => !w.files.docs.has(f.id)).length, 0);
      }
      return Promise.resolve();
    };
    await run(w);
    assertEndedPurged(w, ended);
  });

  it('purges 10,000 files with one DeleteObjects, one find and one delete per 1000', async () => {
    const w = lifecycleWorld();
    const ids = ['s1', 's2', 's3'];
    for (const id of ids) w.sessions.add({ id, status: 'expired' });
    for (let i = 0; i < 10_000; i++) fileIn(w, ids[i % 3] ?? 's1', 'ready', { size: 1 });
    let finds = 0;
    const findBySessions = w.lifecycle.findBySessions.bind(w.lifecycle);
    w.lifecycle.findBySessions = (sessionIds, limit) => {
      finds++;
      return findBySessions(sessionIds, limit);
    };
    assert.equal(await run(w), 10_000);
    assert.equal(w.storage.count('deleteObjects'), 10);
    assert.equal(w.storage.count('abortMultipartUpload'), 0);
    assert.equal(
      w.ledger.writes.filter((x) => x.startsWith('lifecycle.deleteOfSessions')).length,
      10,
    );
    assert.equal(finds, 11, 'ten batches, then the look that finds none left');
    assert.equal(w.storage.objects.size, 0);
    assert.equal(w.files.docs.size, 0);
  });

  it('keeps the records storage refused to delete, never marks their session, and finishes next run', async () => {
    const { w, live, ended } = fixture();
    const refused = ended.find((f) => f.status === 'ready');
    assert.ok(refused);
    w.storage.failDeletes.add(refused.storageKey);
    await assert.rejects(run(w), ObjectsNotDeletedError);
    assert.equal(w.files.docs.has(refused.id), true);
    assert.equal(w.storage.objects.has(refused.storageKey), true);
    assert.equal(
      ended.filter((f) => w.files.docs.has(f.id)).length,
      1,
      'only the refused one stays',
    );
    assert.equal(w.sessions.sessions.get('expired')?.filesPurgedAt, null);

    w.storage.failDeletes.clear();
    await run(w);
    assertEndedPurged(w, ended);
    assertLiveUntouched(w, live);
  });

  it('purges every other file in the same run when storage refuses one key, and reports it at the end', async () => {
    // Two batches: the refused key is in the first, of the session `closed`.
    const { w, live, ended } = fixture(FILES_PER_BATCH);
    const refused = ended.find((f) => f.sessionId === 'closed' && f.status === 'verifying');
    assert.ok(refused);
    w.storage.failDeletes.add(refused.storageKey);
    // A decided file due for its object purge: not held up either.
    const decided = fileIn(w, 'live', 'rejected', { uploadUrlExpiresAt: past });

    const failure: unknown = await run(w).then(
      () => assert.fail('the refused key is reported'),
      (err: unknown) => err,
    );
    assert.ok(failure instanceof ObjectsNotDeletedError);
    assert.match(failure.message, /did not delete 1 object\(s\) \(first: .*, InternalError\)/);
    assert.equal(failure.processed, ended.length - 1 + 1, 'everything else, counted');
    for (const file of ended) {
      const gone: boolean = file.id !== refused.id;
      assert.equal(w.files.docs.has(file.id), !gone, `record of ${file.status} file`);
      if (file.status !== 'rejected' && file.status !== 'deleted') {
        assert.equal(w.storage.objects.has(file.storageKey), !gone, `object of ${file.status}`);
      }
    }
    assert.equal(w.storage.count('deleteObjects'), 3, 'two batches of the sessions, one decided');
    assert.equal(w.sessions.sessions.get('expired')?.filesPurgedAt, now);
    assert.deepEqual(
      w.sessions.events.map((e) => [e.sessionId, e.data]),
      [['expired', { files: FILES_PER_BATCH + 1 }]],
    );
    assert.equal(w.sessions.sessions.get('closed')?.filesPurgedAt, null, 'it keeps a file');
    assert.equal(w.files.docs.get(decided.id)?.record.objectPurgedAt, now);
    assertLiveUntouched(w, live);

    w.storage.failDeletes.clear();
    assert.equal(await run(w), 1);
    assertEndedPurged(w, ended);
    assert.deepEqual(w.sessions.events.at(-1)?.data, { files: 1 });
  });

  it(`stops taking batches once storage refused ${String(MAX_REFUSED_PER_RUN)} keys, marking no session`, async () => {
    const { w, live, ended } = fixture(FILES_PER_BATCH);
    for (const file of ended) w.storage.failDeletes.add(file.storageKey);
    await assert.rejects(run(w), ObjectsNotDeletedError);
    assert.equal(w.storage.count('deleteObjects'), 1, 'storage in trouble: no second batch');
    for (const file of ended) assert.equal(w.files.docs.has(file.id), true);
    assert.deepEqual(w.sessions.events, []);
    assertLiveUntouched(w, live);

    w.storage.failDeletes.clear();
    await run(w);
    assertEndedPurged(w, ended);
  });

  it('changes no record when its writes reach the database past the lease deadline', async () => {
    const { w, live, ended } = fixture();
    const guard = new FakeGuard(w.ledger);
    // Paused after each check: every write the run sends arrives late.
    writesArriveLate(w.ledger, guard);
    await assert.rejects(run(w, guard), /removed no record of a batch/);
    assert.ok(
      w.ledger.writes.some((x) => x.startsWith('lifecycle.deleteOfSessions')),
      'sent',
    );
    for (const file of ended) assert.equal(w.files.docs.has(file.id), true, file.status);
    assert.equal(w.sessions.sessions.get('closed')?.filesPurgedAt, null);
    assert.equal(w.sessions.sessions.get('expired')?.filesPurgedAt, null);
    assert.deepEqual(w.sessions.events, []);
    assertLiveUntouched(w, live);

    // Storage takes no deadline: the next run deletes the keys again (idempotent), then the records.
    w.ledger.serverNow = Date.now;
    assert.equal(await run(w), ended.length);
    assertEndedPurged(w, ended);
  });

  it('stops writing once its lease is lost, and the next run finishes', async () => {
    // Two batches: the first holds the open upload, the second the last 4 files.
    const fixtures = new WeakMap<LifecycleWorld, Fixture>();
    const points = await atEveryCrashPoint(
      () => {
        const f = fixture(FILES_PER_BATCH);
        fixtures.set(f.w, f);
        return f.w;
      },
      (w, guard) => run(w, guard),
      (w) => {
        const f = fixtures.get(w);
        assert.ok(f);
        assertEndedPurged(w, f.ended);
        assertLiveUntouched(w, f.live);
      },
    );
    // Abort, DeleteObjects and delete of two batches, two marks, and the run that survives.
    assert.equal(points, 8);
  });
});

describe('PurgeFilesJob: decided files', () => {
  it('deletes what a rejected or deleted file’s URL wrote again once the URL expired, then settles the record', async () => {
    const w = lifecycleWorld();
    const live = w.sessions.add();
    const rejected = fileIn(w, live.id, 'rejected', { uploadUrlExpiresAt: past });
    const deleted = fileIn(w, live.id, 'deleted', {
      uploadUrlExpiresAt: past,
      upload: multipart('u-del'),
    });
    w.storage.openUpload(deleted.storageKey, 'u-del');
    const notYet = fileIn(w, live.id, 'rejected', {
      uploadUrlExpiresAt: new Date(now.getTime() + 1000),
    });
    const ready = fileIn(w, live.id, 'ready', { uploadUrlExpiresAt: past });
    assert.equal(await run(w), 2);
    assert.equal(w.storage.objects.has(rejected.storageKey), false);
    assert.equal(w.files.docs.get(rejected.id)?.record.objectPurgedAt, now);
    assert.equal(w.storage.objects.has(deleted.storageKey), false);
    assert.equal(w.files.docs.has(deleted.id), false, 'a deleted file’s record has done its work');
    assert.equal(w.storage.uploads.has('u-del'), false);
    assert.equal(w.storage.objects.has(notYet.storageKey), true, 'its URL may still write');
    assert.equal(w.storage.objects.has(ready.storageKey), true);
    assert.equal(w.files.docs.get(ready.id)?.record.status, 'ready');
    assert.equal(await run(w), 0);
  });
});
