// The worker's batch side of files: what the session purge, the object purge, the upload sweep
// and the reconciliation read, and the batch writes that end records.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newPublicId } from '@app/common';
import type { CommandStartedEvent, Document } from 'mongodb';
import type { FileRecord, FileStatus, NewFile } from '../src/files/file.repository.js';
import { newFile } from './file-repositories.js';
import {
  startLifecycleRepositories,
  type LifecycleRepositoriesFixture,
} from './lifecycle-repositories.js';
import { minute } from './session-repositories.js';

const ids = (files: readonly FileRecord[]): string[] => files.map((f) => f.id);
const sorted = (values: readonly string[]): string[] => [...values].sort();

describe('FileLifecycleRepository against MongoDB', () => {
  let fixture: LifecycleRepositoriesFixture;
  const stored = (id: string) => fixture.raw('files').findOne({ _id: id });

  const fileIn = async (status: FileStatus, overrides: Partial<NewFile> = {}) => {
    const created = await fixture.files.create(newFile(overrides));
    if (status === 'pending') return created;
    const moved = await fixture.files.transition(created.id, ['pending'], status, new Date());
    assert.ok(moved);
    return moved;
  };

  /** The commands named `names` sent while `work` runs. */
  const commandsDuring = async (
    names: readonly string[],
    work: () => Promise<unknown>,
  ): Promise<Document[]> => {
    const sent: Document[] = [];
    const client = fixture.connection.getClient();
    const listener = (started: CommandStartedEvent): void => {
      if (names.includes(started.commandName)) sent.push(started.command);
    };
    client.on('commandStarted', listener);
    try {
      await work();
    } finally {
      client.off('commandStarted', listener);
    }
    return sent;
  };

  before(async () => {
    fixture = await startLifecycleRepositories('file_lifecycle', {
      uriOptions: 'monitorCommands=true',
    });
  });
  after(async () => {
    await fixture.close();
  });

  it('finds every file of the given sessions in any status, by session then oldest first', async () => {
    const [a, b, other] = [newPublicId(), newPublicId(), newPublicId()];
    const t0 = Date.now() - 10 * minute;
    const made: FileRecord[] = [];
    const statuses: FileStatus[] = ['pending', 'verifying', 'ready', 'rejected', 'deleted'];
    for (const [i, status] of statuses.entries()) {
      // Same createdAt for two files of a session: the id breaks the tie.
      const createdAt = new Date(t0 + Math.floor(i / 2) * 1000);
      made.push(await fileIn(status, { sessionId: a, createdAt }));
      made.push(await fileIn(status, { sessionId: b, createdAt }));
    }
    await fileIn('ready', { sessionId: other });

    const expected = [...made].sort(
      (x, y) =>
        (x.sessionId < y.sessionId ? -1 : x.sessionId > y.sessionId ? 1 : 0) ||
        x.createdAt.getTime() - y.createdAt.getTime() ||
        (x.id < y.id ? -1 : 1),
    );
    const found = await fixture.fileLifecycle.findBySessions([a, b], 100);
    assert.deepEqual(found, expected);
    assert.deepEqual(await fixture.fileLifecycle.findBySessions([b, a], 4), expected.slice(0, 4));
    assert.deepEqual(await fixture.fileLifecycle.findBySessions([], 10), []);
    const smuggled = [{ $ne: null } as unknown as string];
    assert.deepEqual(await fixture.fileLifecycle.findBySessions(smuggled, 10), []);
  });

  it('deletes only files of the given sessions, whatever ids are passed', async () => {
    const [mine, theirs] = [newPublicId(), newPublicId()];
    const own = [
      await fileIn('ready', { sessionId: mine }),
      await fileIn('pending', { sessionId: mine }),
    ];
    const kept = await fileIn('ready', { sessionId: mine });
    const foreign = await fileIn('ready', { sessionId: theirs });

    const deleted = await fixture.fileLifecycle.deleteOfSessions(
      [...ids(own), foreign.id, 'AAAAAAAAAAAAAAAAAAAAAA'],
      [mine],
    );
    assert.equal(deleted, 2);
    for (const f of own) assert.equal(await stored(f.id), null);
    assert.ok(await stored(kept.id), 'not among the ids');
    assert.ok(await stored(foreign.id), 'another session’s file is never deleted');
    assert.equal(await fixture.fileLifecycle.deleteOfSessions([kept.id], []), 0);
    assert.equal(
      await fixture.fileLifecycle.deleteOfSessions(
        [{ $ne: null } as unknown as string],
        [{ $ne: null } as unknown as string],
      ),
      0,
    );
    assert.ok(await stored(kept.id));
  });

  it('reads and deletes a batch of 1000 files with one find and one delete', async () => {
    const sessionId = newPublicId();
    const createdAt = new Date(Date.now() - minute);
    const made: FileRecord[] = [];
    for (let i = 0; i < 1000; i += 100) {
      made.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, () =>
            fixture.files.create(newFile({ sessionId, createdAt })),
          ),
        )),
      );
    }
    let found: FileRecord[] = [];
    const finds = await commandsDuring(['find'], async () => {
      found = await fixture.fileLifecycle.findBySessions([sessionId], 1000);
    });
    assert.equal(found.length, 1000);
    assert.equal(finds.length, 1);

    let deleted = 0;
    const deletes = await commandsDuring(['delete'], async () => {
      deleted = await fixture.fileLifecycle.deleteOfSessions(ids(found), [sessionId]);
    });
    assert.equal(deleted, 1000);
    assert.equal(deletes.length, 1);
    assert.equal((deletes[0]?.deletes as unknown[]).length, 1, 'one statement for the batch');
    assert.deepEqual(await fixture.fileLifecycle.findBySessions([sessionId], 10), []);
    assert.equal(sorted(ids(found)).join(), sorted(ids(made)).join());
  });

  it('finds rejected and deleted files whose URLs expired and whose object is not purged, oldest first', async () => {
    // Earlier tests' files would be due too: mark them done.
    await fixture.raw('files').updateMany({}, { $set: { objectPurgedAt: new Date() } });
    const now = new Date();
    const past = new Date(now.getTime() - minute);
    const future = new Date(now.getTime() + minute);
    const created = (i: number): Date => new Date(now.getTime() - 10 * minute + i * 1000);

    const due = [
      await fileIn('deleted', { uploadUrlExpiresAt: past, createdAt: created(2) }),
      await fileIn('rejected', { uploadUrlExpiresAt: past, createdAt: created(1) }),
      // None recorded: the upload window bounds every URL.
      await fileIn('deleted', {
        uploadUrlExpiresAt: null,
        uploadExpiresAt: past,
        createdAt: created(3),
      }),
      // Exactly at `now` counts as expired.
      await fileIn('rejected', { uploadUrlExpiresAt: now, createdAt: created(4) }),
    ];
    await fileIn('rejected', { uploadUrlExpiresAt: future });
    await fileIn('deleted', { uploadUrlExpiresAt: null, uploadExpiresAt: future });
    for (const status of ['pending', 'verifying', 'ready'] as const) {
      await fileIn(status, { uploadUrlExpiresAt: past, uploadExpiresAt: past });
    }
    const expected = [due[1], due[0], due[2], due[3]];
    assert.deepEqual(ids(await fixture.fileLifecycle.findObjectPurgeDue(now, 100)), ids(expected));
    assert.deepEqual(
      ids(await fixture.fileLifecycle.findObjectPurgeDue(now, 2)),
      ids(expected).slice(0, 2),
    );
    // Once their URLs expire, the two that had to wait are due too, after the others.
    assert.equal((await fixture.fileLifecycle.findObjectPurgeDue(future, 100)).length, 6);
  });

  it('settles purged objects: deleted records go, rejected ones are kept and marked, others untouched', async () => {
    const now = new Date();
    const sessionId = newPublicId();
    const deleted = await fileIn('deleted', { sessionId });
    const rejected = await fileIn('rejected', { sessionId });
    const ready = await fileIn('ready', { sessionId });
    const pending = await fileIn('pending', { sessionId });

    const list = [deleted.id, rejected.id, ready.id, pending.id];
    assert.deepEqual(await fixture.fileLifecycle.settlePurged(list, now), {
      removed: 1,
      marked: 1,
    });
    assert.equal(await stored(deleted.id), null);
    const marked = await stored(rejected.id);
    assert.deepEqual(marked?.objectPurgedAt, now);
    assert.equal(marked?.status, 'rejected');
    assert.deepEqual(await fixture.files.findById(ready.id), ready);
    assert.deepEqual(await fixture.files.findById(pending.id), pending);

    // Settled again (a run that died after its writes): nothing more to do.
    const later = new Date(now.getTime() + minute);
    assert.deepEqual(await fixture.fileLifecycle.settlePurged(list, later), {
      removed: 0,
      marked: 0,
    });
    assert.deepEqual((await stored(rejected.id))?.objectPurgedAt, now);
    assert.deepEqual(await fixture.fileLifecycle.settlePurged([], later), {
      removed: 0,
      marked: 0,
    });
  });

  it('finds pending files whose upload window has passed, the longest expired first', async () => {
    // Earlier tests' pending files: out of the way.
    await fixture.raw('files').updateMany({ status: 'pending' }, { $set: { status: 'ready' } });
    const now = new Date();
    const ago = (ms: number): Date => new Date(now.getTime() - ms);
    const older = await fileIn('pending', { uploadExpiresAt: ago(2 * minute) });
    const old = await fileIn('pending', { uploadExpiresAt: ago(minute) });
    const atNow = await fileIn('pending', { uploadExpiresAt: now });
    await fileIn('pending', { uploadExpiresAt: new Date(now.getTime() + 1) });
    await fileIn('verifying', { uploadExpiresAt: ago(3 * minute) });
    await fileIn('rejected', { uploadExpiresAt: ago(3 * minute) });

    assert.deepEqual(ids(await fixture.fileLifecycle.findAbandoned(now, 10)), [
      older.id,
      old.id,
      atNow.id,
    ]);
    assert.deepEqual(ids(await fixture.fileLifecycle.findAbandoned(now, 1)), [older.id]);
  });

  it('finds the records that exist among ids, in any status', async () => {
    const a = await fileIn('ready');
    const b = await fileIn('deleted');
    const found = await fixture.fileLifecycle.findByIds([a.id, 'AAAAAAAAAAAAAAAAAAAAAA', b.id]);
    assert.deepEqual(
      [...found].sort((x, y) => (x.id < y.id ? -1 : 1)),
      [a, b].sort((x, y) => (x.id < y.id ? -1 : 1)),
    );
    assert.deepEqual(await fixture.fileLifecycle.findByIds([]), []);
    assert.deepEqual(
      await fixture.fileLifecycle.findByIds([{ $ne: null } as unknown as string]),
      [],
    );
  });

  it('pages through ready files by storage key in byte order, within the bounds given', async () => {
    // Only this test's ready files.
    await fixture.raw('files').updateMany({ status: 'ready' }, { $set: { status: 'deleted' } });
    const sessionId = newPublicId();
    const key = (name: string): string => `sessions/${sessionId}/files/${name}`;
    // Upper-case sorts before lower-case in byte order; '-' before digits.
    const names = ['b', 'A', 'a-1', 'a1', 'Z', 'c'];
    for (const name of names) await fileIn('ready', { sessionId, storageKey: key(name) });
    await fileIn('pending', { sessionId, storageKey: key('a0') });
    await fileIn('verifying', { sessionId, storageKey: key('a2') });
    const keys = (files: FileRecord[]): string[] => files.map((f) => f.storageKey);
    const all = ['A', 'Z', 'a-1', 'a1', 'b', 'c'].map(key);

    assert.deepEqual(keys(await fixture.fileLifecycle.findReadyInKeyRange(null, null, 100)), all);
    assert.deepEqual(
      keys(await fixture.fileLifecycle.findReadyInKeyRange(null, null, 2)),
      all.slice(0, 2),
    );
    // After is exclusive, upTo inclusive: consecutive pages neither skip nor repeat.
    assert.deepEqual(
      keys(await fixture.fileLifecycle.findReadyInKeyRange(all[1], all[4], 100)),
      all.slice(2, 5),
    );
    assert.deepEqual(
      keys(await fixture.fileLifecycle.findReadyInKeyRange(all[3], null, 100)),
      all.slice(4),
    );
    assert.deepEqual(
      keys(await fixture.fileLifecycle.findReadyInKeyRange(null, all[0], 100)),
      all.slice(0, 1),
    );
    assert.deepEqual(await fixture.fileLifecycle.findReadyInKeyRange(all[5], null, 100), []);
  });

  it('flags a ready file whose object is missing once, and nothing else', async () => {
    const ready = await fileIn('ready');
    const now = new Date();
    assert.equal(await fixture.fileLifecycle.flagObjectMissing(ready.id, now), true);
    assert.deepEqual((await stored(ready.id))?.objectMissingAt, now);
    assert.equal(
      await fixture.fileLifecycle.flagObjectMissing(ready.id, new Date(now.getTime() + minute)),
      false,
      'already flagged',
    );
    assert.deepEqual((await stored(ready.id))?.objectMissingAt, now);
    // Internal: the record does not change shape.
    assert.deepEqual(await fixture.files.findById(ready.id), ready);

    const pending = await fileIn('pending');
    assert.equal(await fixture.fileLifecycle.flagObjectMissing(pending.id, now), false);
    assert.equal((await stored(pending.id))?.objectMissingAt, null);
    assert.equal(
      await fixture.fileLifecycle.flagObjectMissing('AAAAAAAAAAAAAAAAAAAAAA', now),
      false,
    );
  });

  describe('with a write fence', () => {
    const past = (): { notAfter: Date } => ({ notAfter: new Date(Date.now() - minute) });
    const future = (): { notAfter: Date } => ({ notAfter: new Date(Date.now() + minute) });

    it('deletes nothing past its deadline, as judged by the server, and deletes before it', async () => {
      const sessionId = newPublicId();
      const files = [await fileIn('ready', { sessionId }), await fileIn('deleted', { sessionId })];
      const sent = await commandsDuring(['delete'], async () => {
        assert.equal(
          await fixture.fileLifecycle.deleteOfSessions(ids(files), [sessionId], past()),
          0,
        );
      });
      // The deadline travels as an expression on $$NOW: the server's clock decides, not ours.
      const filters = sent.map((c) => JSON.stringify((c.deletes as Document[])[0]?.q));
      assert.equal(filters.length, 1);
      assert.match(filters[0] ?? '', /"\$expr":\{"\$lt":\["\$\$NOW"/);
      for (const file of files) assert.ok(await stored(file.id), 'still there');

      assert.equal(
        await fixture.fileLifecycle.deleteOfSessions(ids(files), [sessionId], future()),
        2,
      );
      for (const file of files) assert.equal(await stored(file.id), null);
    });

    it('settles nothing past its deadline, and settles before it', async () => {
      const now = new Date();
      const deleted = await fileIn('deleted');
      const rejected = await fileIn('rejected');
      const list = [deleted.id, rejected.id];
      assert.deepEqual(await fixture.fileLifecycle.settlePurged(list, now, past()), {
        removed: 0,
        marked: 0,
      });
      assert.ok(await stored(deleted.id));
      assert.equal((await stored(rejected.id))?.objectPurgedAt, null);

      assert.deepEqual(await fixture.fileLifecycle.settlePurged(list, now, future()), {
        removed: 1,
        marked: 1,
      });
      assert.equal(await stored(deleted.id), null);
      assert.deepEqual((await stored(rejected.id))?.objectPurgedAt, now);
    });

    it('flags nothing past its deadline, and flags before it', async () => {
      const ready = await fileIn('ready');
      const now = new Date();
      assert.equal(await fixture.fileLifecycle.flagObjectMissing(ready.id, now, past()), false);
      assert.equal((await stored(ready.id))?.objectMissingAt, null);
      assert.equal(await fixture.fileLifecycle.flagObjectMissing(ready.id, now, future()), true);
      assert.deepEqual((await stored(ready.id))?.objectMissingAt, now);
    });
  });
});
