import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileRecord, NewFile } from '@app/database';
import { storedFile } from '../../../../libs/files/test/in-memory-files.js';
import {
  atEveryCrashPoint,
  FakeGuard,
  lifecycleWorld,
  writesArriveLate,
  type LifecycleWorld,
} from '../../../../libs/files/test/in-memory-lifecycle.js';
import { SWEEP_BATCH, SweepUploadsJob } from './sweep-uploads.job.js';

const now = new Date();
const windowPassed = new Date(now.getTime() - 1000);
const bytes = Buffer.from('half an upload');

const job = (w: LifecycleWorld): SweepUploadsJob => new SweepUploadsJob(w.lifecycle, w.verdicts);
const run = (w: LifecycleWorld, guard = new FakeGuard(w.ledger)): Promise<number> =>
  job(w).run({ now, guard });

const abandonedMultipart = (uploadId: string): Partial<NewFile> => ({
  uploadExpiresAt: windowPassed,
  upload: { mode: 'multipart', uploadId, partSize: 8, partCount: 2 },
});

interface Fixture {
  w: LifecycleWorld;
  abandoned: FileRecord[];
  inWindow: FileRecord;
  ready: FileRecord;
}

async function fixture(): Promise<Fixture> {
  const w = lifecycleWorld();
  const single = await storedFile(w, bytes, { uploadExpiresAt: windowPassed });
  const multi = await storedFile(w, bytes, abandonedMultipart('u-1'));
  const inWindow = await storedFile(w, bytes, {
    uploadExpiresAt: new Date(now.getTime() + 60_000),
  });
  const done = await storedFile(w, bytes, { uploadExpiresAt: windowPassed });
  const ready = await w.files.transition(done.id, ['pending'], 'ready', now);
  assert.ok(ready);
  return { w, abandoned: [single, multi], inWindow, ready };
}

const quotaOf = (w: LifecycleWorld, file: FileRecord) =>
  w.quotas.used.get(`owner-1:${file.quotaDay}`);

describe('SweepUploadsJob', () => {
  it('rejects uploads pending past their window as abandoned, cleaning storage and giving back what they reserved', async () => {
    const { w, abandoned, inWindow, ready } = await fixture();
    assert.equal(await run(w), 2);
    for (const file of abandoned) {
      const after = w.files.docs.get(file.id)?.record;
      assert.equal(after?.status, 'rejected');
      assert.equal(
        after?.rejectedReason,
        'abandoned: the upload window passed before the upload was completed',
      );
      assert.equal(w.storage.objects.has(file.storageKey), false, 'partial object deleted');
      assert.deepEqual(w.sessionFiles.held.get(file.sessionId), { files: 0, bytes: 0 });
      assert.deepEqual(w.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
    }
    assert.equal(w.storage.uploads.has('u-1'), false, 'the multipart upload aborted');
    // Two of four files given back: the one in its window and the ready one keep theirs.
    assert.deepEqual(quotaOf(w, inWindow), { files: 2, bytes: 2 * bytes.length });
    for (const kept of [inWindow, ready]) {
      assert.equal(w.files.docs.get(kept.id)?.record.status, kept.status);
      assert.equal(w.storage.objects.has(kept.storageKey), true);
    }
    assert.equal(await run(w), 0);
  });

  it('takes them in batches until none is left', async () => {
    const w = lifecycleWorld();
    for (let i = 0; i < SWEEP_BATCH + 5; i++) {
      await storedFile(w, bytes, { uploadExpiresAt: new Date(windowPassed.getTime() - i) });
    }
    assert.equal(await run(w), SWEEP_BATCH + 5);
    assert.equal([...w.files.docs.values()].filter((h) => h.record.status === 'pending').length, 0);
  });

  it('never rejects an upload completed while it swept: one verdict wins', async () => {
    const { w, abandoned } = await fixture();
    const [single] = abandoned;
    assert.ok(single);
    // The client's complete lands between the sweep's read and its decision.
    const find = w.lifecycle.findAbandoned.bind(w.lifecycle);
    w.lifecycle.findAbandoned = async (at, limit) => {
      const found = await find(at, limit);
      await w.files.transition(single.id, ['pending'], 'verifying', now);
      return found;
    };
    assert.equal(await run(w), 1);
    assert.equal(w.files.docs.get(single.id)?.record.status, 'verifying');
    assert.equal(w.storage.objects.has(single.storageKey), true);
  });

  it('stops writing once its lease is lost, and the next run rejects what is left', async () => {
    const points = await atEveryCrashPoint(
      async () => (await fixture()).w,
      (w, guard) => run(w, guard),
      (w) => {
        const statuses = [...w.files.docs.values()].map((h) => h.record.status).sort();
        assert.deepEqual(statuses, ['pending', 'ready', 'rejected', 'rejected']);
        for (const { record } of w.files.docs.values()) {
          // Exactly one event per rejection, whichever run decided it (a won decision records
          // its event even when the lease lapses right after), none for the others.
          assert.deepEqual(
            w.sessionFiles.typesOf(record.sessionId),
            record.status === 'rejected' ? ['file.rejected'] : [],
          );
        }
      },
    );
    // Per file a check before it and one before its decision (what a won decision owes, the
    // abort, the delete, the give-backs and the event, follows unchecked): 2 + 2 checks, then the
    // run that survives.
    assert.equal(points, 5);
  });

  it('leaves every upload pending when the lease is lost before any decision, and the next run gives back each in full', async () => {
    const { w, abandoned } = await fixture();
    // The lease is lost before the first decision: the next run does all of it. (A crash after a
    // won decision and before its give-backs leaks them: the window the job accepts.)
    await assert.rejects(run(w, new FakeGuard(w.ledger, 0)));
    await run(w);
    for (const file of abandoned) {
      assert.deepEqual(w.sessionFiles.held.get(file.sessionId), { files: 0, bytes: 0 });
      assert.deepEqual(w.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
    }
  });

  it('decides nothing when its decisions reach the database past the lease deadline', async () => {
    const { w, abandoned, inWindow } = await fixture();
    w.ledger.clear();
    const guard = new FakeGuard(w.ledger);
    writesArriveLate(w.ledger, guard);
    assert.equal(await run(w, guard), 0);
    assert.equal(w.ledger.writes.filter((x) => x.startsWith('files.transition')).length, 2);
    for (const file of abandoned) {
      assert.equal(w.files.docs.get(file.id)?.record.status, 'pending');
      assert.equal(w.storage.objects.has(file.storageKey), true, 'nothing removed');
      assert.deepEqual(w.sessionFiles.held.get(file.sessionId), { files: 1, bytes: bytes.length });
      assert.deepEqual(w.sessionFiles.typesOf(file.sessionId), []);
    }
    assert.equal(w.storage.uploads.has('u-1'), true);
    assert.deepEqual(quotaOf(w, inWindow), { files: 4, bytes: 4 * bytes.length });

    w.ledger.serverNow = Date.now;
    assert.equal(await run(w, guard), 2);
  });

  it('stops at a full batch of which no decision landed, instead of reading it again', async () => {
    const w = lifecycleWorld();
    for (let i = 0; i < SWEEP_BATCH + 1; i++) {
      await storedFile(w, bytes, { uploadExpiresAt: new Date(windowPassed.getTime() - i) });
    }
    const guard = new FakeGuard(w.ledger);
    writesArriveLate(w.ledger, guard);
    assert.equal(await run(w, guard), 0);
    assert.equal(
      w.ledger.writes.filter((x) => x.startsWith('files.transition')).length,
      SWEEP_BATCH,
    );
  });
});
