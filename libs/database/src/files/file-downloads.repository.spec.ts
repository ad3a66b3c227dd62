// The one-write download counter of a device's grant, against MongoDB (the devstack, or
// MONGODB_URI): the increment holds the file's checks itself, and a download given back never
// takes the counter below zero.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newPublicId } from '@app/common';
import {
  newFile,
  startFileRepositories,
  type FileRepositoriesFixture,
} from '../../test/file-repositories.js';
import { FileDownloadsRepository } from './file-downloads.repository.js';
import type { FileStatus, NewFile } from './file.repository.js';

describe('FileDownloadsRepository against MongoDB', () => {
  let fixture: FileRepositoriesFixture;
  let counter: FileDownloadsRepository;
  const downloadsOf = async (id: string) => (await fixture.files.findById(id))?.downloads;

  const fileIn = async (status: FileStatus, overrides: Partial<NewFile> = {}) => {
    const created = await fixture.files.create(newFile(overrides));
    if (status === 'pending') return created;
    const moved = await fixture.files.transition(created.id, ['pending'], status, new Date());
    assert.ok(moved);
    return moved;
  };

  before(async () => {
    fixture = await startFileRepositories('file-downloads');
    counter = fixture.moduleRef.get(FileDownloadsRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('takes exactly maxDownloads of 20 concurrent takes in the file’s session', async () => {
    const file = await fileIn('ready', { maxDownloads: 3 });
    const taken = await Promise.all(
      Array.from({ length: 20 }, () => counter.take(file.id, file.sessionId)),
    );
    const counts = taken.flatMap((f) => (f === null ? [] : [f.downloads]));
    assert.deepEqual(counts.sort(), [1, 2, 3]);
    assert.equal(await downloadsOf(file.id), 3);
  });

  it('counts nothing for another session, an unknown file or a file that is not ready', async () => {
    const ready = await fileIn('ready');
    assert.equal(await counter.take(ready.id, newPublicId()), null);
    assert.equal(await counter.take(newPublicId(), ready.sessionId), null);
    assert.equal(await downloadsOf(ready.id), 0);
    for (const status of ['pending', 'verifying', 'rejected', 'deleted'] as const) {
      const file = await fileIn(status);
      assert.equal(await counter.take(file.id, file.sessionId), null, status);
      assert.equal(await downloadsOf(file.id), 0, status);
    }
  });

  it('gives a download back, never below zero', async () => {
    const file = await fileIn('ready', { maxDownloads: 1 });
    assert.equal((await counter.take(file.id, file.sessionId))?.downloads, 1);
    assert.equal(await counter.take(file.id, file.sessionId), null, 'at its limit');
    await counter.giveBack(file.id);
    assert.equal(await downloadsOf(file.id), 0);
    await counter.giveBack(file.id);
    assert.equal(await downloadsOf(file.id), 0);
    assert.equal((await counter.take(file.id, file.sessionId))?.downloads, 1, 'free again');
  });
});
