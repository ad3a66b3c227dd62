import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError, newPublicId } from '@app/common';
import type { FileRecord, FileStatus, NewFile } from '../src/files/file.repository.js';
import {
  newFile,
  startFileRepositories,
  type FileRepositoriesFixture,
} from './file-repositories.js';
import { hour, minute } from './session-repositories.js';

const pendingRecord = (input: NewFile): FileRecord => ({
  ...input,
  status: 'pending',
  downloads: 0,
  readyAt: null,
  rejectedReason: null,
  deletedAt: null,
  objectPurgedAt: null,
  verifyAttempts: 0,
});

describe('FileRepository against MongoDB', () => {
  let fixture: FileRepositoriesFixture;
  const stored = (id: string) => fixture.raw('files').findOne({ _id: id });

  /** Creates a file and moves it to `status` (through the repository). */
  const fileIn = async (status: FileStatus, overrides: Partial<NewFile> = {}) => {
    const created = await fixture.files.create(newFile(overrides));
    if (status === 'pending') return created;
    const moved = await fixture.files.transition(created.id, ['pending'], status, new Date());
    assert.ok(moved);
    return moved;
  };

  before(async () => {
    fixture = await startFileRepositories();
  });
  after(async () => {
    await fixture.close();
  });

  it('creates a pending file and finds it as a plain record, single or multipart', async () => {
    const single = newFile();
    const created = await fixture.files.create(single);
    assert.deepEqual(created, pendingRecord(single));
    assert.deepEqual(await fixture.files.findById(single.id), created);

    const multipart = newFile({
      size: 200 * 1024 * 1024,
      upload: { mode: 'multipart', uploadId: 'upload-123', partSize: 8_388_608, partCount: 24 },
      uploadedBy: { kind: 'device', id: newPublicId() },
    });
    assert.deepEqual(await fixture.files.create(multipart), pendingRecord(multipart));
    assert.deepEqual(await fixture.files.findById(multipart.id), pendingRecord(multipart));

    // The lease is internal: stored, never part of the record.
    assert.equal((await stored(single.id))?.verifyLeaseUntil, null);
  });

  it('refuses a second file with the same id as CONFLICT, keeping the first', async () => {
    const input = newFile();
    await fixture.files.create(input);
    await assert.rejects(
      fixture.files.create({ ...input, name: 'other.png' }),
      (error: unknown) => error instanceof AppError && error.code === 'CONFLICT',
    );
    assert.equal((await fixture.files.findById(input.id))?.name, 'photo.png');
  });

  it('answers null for an unknown id and never treats a smuggled object as a query', async () => {
    await fixture.files.create(newFile());
    assert.equal(await fixture.files.findById('AAAAAAAAAAAAAAAAAAAAAA'), null);
    assert.equal(await fixture.files.findById({ $ne: null } as unknown as string), null);
    const page = await fixture.files.listBySession(
      { $ne: null } as unknown as string,
      ['pending'],
      10,
      null,
    );
    assert.deepEqual(page, { items: [], nextCursor: null });
    await assert.rejects(
      fixture.files.listBySession('s', [{ $ne: null } as unknown as FileStatus], 10, null),
    );
  });

  it('lists a session’s files oldest first across pages, ties in createdAt included', async () => {
    const sessionId = newPublicId();
    const base = Date.now() - hour;
    const times = [3000, 0, 1000, 1000, 1000, 2000, 2000, 1000];
    const created: FileRecord[] = [];
    for (const offset of times) {
      created.push(
        await fixture.files.create(newFile({ sessionId, createdAt: new Date(base + offset) })),
      );
    }
    await fixture.files.create(newFile({ createdAt: new Date(base + 500) }));
    const expected = [...created]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((f) => f.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await fixture.files.listBySession(sessionId, ['pending'], 3, cursor);
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((f) => f.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    assert.deepEqual(seen, expected);
    assert.equal(pages, 3);

    const all = await fixture.files.listBySession(sessionId, ['pending'], 8, null);
    assert.equal(all.items.length, 8);
    assert.equal(all.nextCursor, null, 'an exactly full last page has no next cursor');
  });

  it('lists only the asked statuses (devices: ready; the owner: all but deleted)', async () => {
    const sessionId = newPublicId();
    const byStatus: Record<string, string> = {};
    for (const status of ['pending', 'verifying', 'ready', 'rejected', 'deleted'] as const) {
      byStatus[status] = (await fileIn(status, { sessionId })).id;
    }
    const ids = async (statuses: FileStatus[]) =>
      (await fixture.files.listBySession(sessionId, statuses, 10, null)).items
        .map((f) => f.id)
        .sort();
    assert.deepEqual(await ids(['ready']), [byStatus.ready]);
    assert.deepEqual(
      await ids(['pending', 'verifying', 'ready', 'rejected']),
      [byStatus.pending, byStatus.verifying, byStatus.ready, byStatus.rejected].sort(),
    );
    assert.deepEqual(await ids([]), []);
  });

  it('refuses a cursor it did not issue with VALIDATION_FAILED on the cursor field', async () => {
    for (const cursor of ['not a cursor!', '', Buffer.from('12.$where').toString('base64url')]) {
      await assert.rejects(
        fixture.files.listBySession(newPublicId(), ['ready'], 10, cursor),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'VALIDATION_FAILED' &&
          error.errors?.[0]?.field === 'cursor',
        cursor,
      );
    }
  });

  it('moves a file only from the given statuses, setting readyAt, rejectedReason, deletedAt', async () => {
    const now = new Date();
    const a = await fixture.files.create(newFile());
    const ready = await fixture.files.transition(a.id, ['pending'], 'ready', now);
    assert.deepEqual(ready, { ...a, status: 'ready', readyAt: now });
    assert.deepEqual(await fixture.files.findById(a.id), ready);

    // Wrong current status: nothing matches, nothing changes.
    const before = await stored(a.id);
    assert.equal(
      await fixture.files.transition(a.id, ['pending', 'verifying'], 'rejected', now),
      null,
    );
    assert.equal(
      await fixture.files.transition('AAAAAAAAAAAAAAAAAAAAAA', ['pending'], 'ready', now),
      null,
    );
    assert.deepEqual(await stored(a.id), before);

    const b = await fixture.files.create(newFile());
    const rejected = await fixture.files.transition(b.id, ['pending'], 'rejected', now, {
      rejectedReason: 'checksum',
    });
    assert.equal(rejected?.status, 'rejected');
    assert.equal(rejected?.rejectedReason, 'checksum');
    assert.equal(rejected?.readyAt, null);

    const deleted = await fixture.files.transition(a.id, ['ready', 'pending'], 'deleted', now);
    assert.equal(deleted?.status, 'deleted');
    assert.deepEqual(deleted?.deletedAt, now);
    assert.deepEqual(deleted?.readyAt, now, 'readyAt stays');
  });

  it('lets exactly one of 20 concurrent transitions win', async () => {
    const file = await fixture.files.create(newFile());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fixture.files.transition(
          file.id,
          ['pending'],
          i % 2 === 0 ? 'ready' : 'rejected',
          new Date(),
          { rejectedReason: 'size' },
        ),
      ),
    );
    const winners = results.filter((r) => r !== null);
    assert.equal(winners.length, 1);
    assert.deepEqual(await fixture.files.findById(file.id), winners[0]);
  });

  it('grants exactly maxDownloads of 20 concurrent downloads; the rest hear limit_reached', async () => {
    const file = await fileIn('ready', { maxDownloads: 3 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => fixture.files.grantDownload(file.id)),
    );
    const granted = results.flatMap((r) => (r.ok ? [r.file.downloads] : []));
    assert.deepEqual(granted.sort(), [1, 2, 3]);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'limit_reached').length, 17);
    assert.equal((await fixture.files.findById(file.id))?.downloads, 3);
    assert.deepEqual(await fixture.files.grantDownload(file.id), {
      ok: false,
      reason: 'limit_reached',
    });
  });

  it('grants only ready files: not_found, not_ready, and nothing counted', async () => {
    assert.deepEqual(await fixture.files.grantDownload('AAAAAAAAAAAAAAAAAAAAAA'), {
      ok: false,
      reason: 'not_found',
    });
    for (const status of ['pending', 'verifying', 'rejected', 'deleted'] as const) {
      const file = await fileIn(status);
      assert.deepEqual(await fixture.files.grantDownload(file.id), {
        ok: false,
        reason: 'not_ready',
      });
      assert.equal((await fixture.files.findById(file.id))?.downloads, 0, status);
    }
    const spent = await fileIn('ready', { maxDownloads: 0 });
    assert.deepEqual(await fixture.files.grantDownload(spent.id), {
      ok: false,
      reason: 'limit_reached',
    });
  });

  it('leases each verifying file to one of many concurrent verifiers, again once the lease expired', async () => {
    // Earlier tests' verifying files would be leased too: settle them first.
    await fixture.raw('files').updateMany({ status: 'verifying' }, { $set: { status: 'ready' } });

    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await fileIn('verifying')).id);
    const readyOne = await fileIn('ready');
    const now = new Date();
    const leaseMs = 5 * minute;

    const leased = await Promise.all(
      Array.from({ length: 20 }, () => fixture.files.leaseVerification(now, leaseMs)),
    );
    const taken = leased.flatMap((f) => (f === null ? [] : [f.id]));
    assert.equal(taken.length, 3);
    assert.deepEqual(new Set(taken), ids, 'each verifying file once, no other file');
    assert.ok(!taken.includes(readyOne.id));
    for (const id of ids) {
      assert.deepEqual((await stored(id))?.verifyLeaseUntil, new Date(now.getTime() + leaseMs));
    }

    // Held until the lease ends, then free again.
    const during = new Date(now.getTime() + leaseMs - 1);
    assert.equal(await fixture.files.leaseVerification(during, leaseMs), null);
    const expiry = new Date(now.getTime() + leaseMs);
    const again = await Promise.all(
      Array.from({ length: 10 }, () => fixture.files.leaseVerification(expiry, leaseMs)),
    );
    assert.deepEqual(
      new Set(again.flatMap((f) => (f === null ? [] : [f.id]))),
      ids,
      're-leasable after expiry',
    );
    assert.equal(again.filter((f) => f !== null).length, 3);

    // A settled file is never leased again, and holds no lease.
    const [first] = [...ids];
    const settled = await fixture.files.transition(first, ['verifying'], 'ready', new Date());
    assert.equal(settled?.status, 'ready');
    assert.equal((await stored(first))?.verifyLeaseUntil, null);
    const later = new Date(expiry.getTime() + 10 * leaseMs);
    const last = await Promise.all(
      Array.from({ length: 5 }, () => fixture.files.leaseVerification(later, leaseMs)),
    );
    assert.equal(last.filter((f) => f !== null).length, 2);
    assert.ok(last.every((f) => f === null || f.id !== first));
  });

  describe('with a write fence', () => {
    const past = (): { notAfter: Date } => ({ notAfter: new Date(Date.now() - minute) });
    const future = (): { notAfter: Date } => ({ notAfter: new Date(Date.now() + minute) });

    it('decides nothing when the transition reaches the server past its deadline, and decides before it', async () => {
      const file = await fileIn('verifying');
      const late = await fixture.files.transition(
        file.id,
        ['verifying'],
        'rejected',
        new Date(),
        { rejectedReason: 'content: late' },
        past(),
      );
      assert.equal(late, null, 'answered as if nothing matched');
      assert.deepEqual(await fixture.files.findById(file.id), file, 'not decided, not touched');

      const now = new Date();
      const decided = await fixture.files.transition(
        file.id,
        ['verifying'],
        'ready',
        now,
        {},
        future(),
      );
      assert.equal(decided?.status, 'ready');
      assert.deepEqual(decided?.readyAt, now);
      // Once decided, a late attempt at the other verdict finds nothing either way.
      assert.equal(
        await fixture.files.transition(file.id, ['ready'], 'deleted', now, {}, past()),
        null,
      );
      assert.equal((await stored(file.id))?.status, 'ready');
    });
  });
});
