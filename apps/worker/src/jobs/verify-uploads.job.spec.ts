import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { AppConfig } from '@app/config';
import type { FileRecord } from '@app/database';
import { storedFile } from '../../../../libs/files/test/in-memory-files.js';
import {
  atEveryCrashPoint,
  FakeGuard,
  lifecycleWorld,
  writesArriveLate,
  type LifecycleWorld,
} from '../../../../libs/files/test/in-memory-lifecycle.js';
import { VERIFY_PER_RUN, VerifyUploadsJob } from './verify-uploads.job.js';

const bytes = Buffer.from('a multipart upload, assembled\n'.repeat(50));

const job = (w: LifecycleWorld, verifyConcurrency: number): VerifyUploadsJob =>
  new VerifyUploadsJob({ jobs: { verifyConcurrency } } as unknown as AppConfig, w.verifier);
const run = (
  w: LifecycleWorld,
  concurrency = 2,
  guard = new FakeGuard(w.ledger),
): Promise<number> => job(w, concurrency).run({ now: new Date(), guard });

/** `n` completed multipart uploads waiting for their read-back (`bad`: the bytes do not match). */
async function verifying(w: LifecycleWorld, n: number, bad = 0): Promise<FileRecord[]> {
  const files: FileRecord[] = [];
  for (let i = 0; i < n; i++) {
    const file = await storedFile(w, bytes, { contentType: 'text/plain' });
    if (i < bad) w.storage.put(file.storageKey, Buffer.from('something else'));
    const moved = await w.files.transition(file.id, ['pending'], 'verifying', new Date());
    assert.ok(moved);
    files.push(moved);
  }
  return files;
}

const statuses = (w: LifecycleWorld): string[] =>
  [...w.files.docs.values()].map((h) => h.record.status).sort();

describe('VerifyUploadsJob', () => {
  it('settles every waiting upload with exactly VERIFY_CONCURRENCY read-backs at once', async () => {
    const w = lifecycleWorld();
    const [bad] = await verifying(w, 6, 1);
    let reading = 0;
    let most = 0;
    w.storage.hook = async (op) => {
      if (op !== 'readObjectSha256') return;
      most = Math.max(most, ++reading);
      await sleep(10);
      reading--;
    };
    assert.equal(await run(w, 2), 6);
    assert.equal(most, 2);
    assert.deepEqual(statuses(w), ['ready', 'ready', 'ready', 'ready', 'ready', 'rejected']);
    assert.ok(bad);
    assert.equal(w.storage.objects.has(bad.storageKey), false);
    for (const { record } of w.files.docs.values()) {
      if (record.status === 'ready') assert.equal(w.storage.objects.has(record.storageKey), true);
    }
    assert.equal(await run(w), 0);
  });

  it(`takes at most ${String(VERIFY_PER_RUN)} files per run`, async () => {
    const w = lifecycleWorld();
    await verifying(w, VERIFY_PER_RUN + 3);
    assert.equal(await run(w, 4), VERIFY_PER_RUN);
    assert.equal(statuses(w).filter((s) => s === 'verifying').length, 3);
    assert.equal(await run(w, 4), 3);
  });

  it('starts nothing new after a failure, ends with it, and the next run settles the others', async () => {
    const w = lifecycleWorld();
    const [first] = await verifying(w, 3);
    assert.ok(first);
    w.storage.hook = (op, key) =>
      op === 'readObjectSha256' && key === first.storageKey
        ? Promise.reject(new Error('stream broke'))
        : Promise.resolve();
    await assert.rejects(run(w, 1), /stream broke/);
    assert.deepEqual(statuses(w), ['verifying', 'verifying', 'verifying']);
    // The failed file keeps its lease until it expires; the others go on.
    assert.equal(await run(w, 1), 2);
    assert.deepEqual(statuses(w), ['ready', 'ready', 'verifying']);
  });

  it('takes no file when its lease writes reach the database past the lease deadline', async () => {
    const w = lifecycleWorld();
    await verifying(w, 2);
    w.ledger.clear();
    const guard = new FakeGuard(w.ledger);
    writesArriveLate(w.ledger, guard);
    assert.equal(await run(w, 1, guard), 0);
    assert.deepEqual(w.ledger.writes, ['files.leaseVerification']);
    for (const { record, verifyLeaseUntil } of w.files.docs.values()) {
      assert.equal(record.verifyAttempts, 0);
      assert.equal(verifyLeaseUntil, null);
    }
  });

  it('decides nothing when its decisions reach the database past the lease deadline', async () => {
    const w = lifecycleWorld();
    const [bad, good] = await verifying(w, 2, 1);
    assert.ok(bad && good);
    w.ledger.clear();
    const guard = new FakeGuard(w.ledger);
    // The leases get through; the worker pauses during each read-back, its decision comes late.
    w.storage.hook = (op) => {
      if (op === 'readObjectSha256') writesArriveLate(w.ledger, guard);
      return Promise.resolve();
    };
    assert.equal(await run(w, 1, guard), 0, 'nothing settled');
    assert.equal(w.ledger.writes.filter((x) => x.startsWith('files.transition')).length, 1);
    assert.deepEqual(statuses(w), ['verifying', 'verifying']);
    assert.equal(w.storage.objects.has(bad.storageKey), true, 'no rejection: nothing removed');
    assert.deepEqual(w.sessionFiles.events, []);
    assert.deepEqual(w.quotas.used.get(`owner-1:${bad.quotaDay}`), {
      files: 2,
      bytes: 2 * bytes.length,
    });

    // The next run, once the verification lease it took has expired.
    w.storage.hook = () => Promise.resolve();
    w.ledger.serverNow = Date.now;
    for (const held of w.files.docs.values()) held.verifyLeaseUntil = null;
    assert.equal(await run(w, 1), 2);
    assert.deepEqual(statuses(w), ['ready', 'rejected']);
  });

  it('stops writing once its lease is lost, and the next run settles the files', async () => {
    const points = await atEveryCrashPoint(
      async () => {
        const w = lifecycleWorld();
        await verifying(w, 2, 1);
        return w;
      },
      (w, guard) => run(w, 1, guard),
      (w) => {
        assert.deepEqual(statuses(w), ['ready', 'rejected']);
        for (const { record } of w.files.docs.values()) {
          if (record.status === 'ready')
            assert.equal(w.storage.objects.has(record.storageKey), true);
        }
      },
      // The next run comes once the verification leases of the crashed one expired.
      (w) => {
        for (const held of w.files.docs.values()) held.verifyLeaseUntil = null;
      },
    );
    // Checks: before each start and its lease (3 looks, the last finding none), then the
    // rejection's and the acceptance's decision; what a won decision owes follows unchecked.
    assert.equal(points, 9);
  });
});
