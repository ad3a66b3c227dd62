import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '@app/common';
import type { FileRecord, SessionRecord } from '@app/database';
import {
  filesWorld,
  storedFile,
  type FilesWorld,
} from '../../../../../libs/files/test/in-memory-files.js';
import type { SessionAccessService } from '../sessions/index.js';
import type { FileAccessService } from './file-access.service.js';
import { FilesService } from './files.service.js';

const owner = { kind: 'user', userId: 'owner-1' } as Principal;

function filesService(world: FilesWorld): FilesService {
  const session = { expiresAt: new Date(Date.now() + 3_600_000) } as SessionRecord;
  const access = {
    find: async (_principal: Principal, fileId: string) => {
      const file = await world.files.findById(fileId);
      assert.ok(file);
      return { file, session };
    },
    assertLive: () => undefined,
  } as unknown as FileAccessService;
  return new FilesService(
    world.files,
    world.sessionFiles,
    world.reservations,
    world.storage.asService(),
    {} as SessionAccessService,
    access,
  );
}

const quotaOf = (world: FilesWorld, file: FileRecord) =>
  world.quotas.used.get(`${file.ownerId}:${file.quotaDay}`);

describe('FilesService.delete', () => {
  it('deletes the object first, the record second, and gives both reservations back', async () => {
    const world = filesWorld();
    const file = await storedFile(world, Buffer.from('hello'));
    await filesService(world).delete(owner, file.id);
    assert.equal(world.storage.objects.has(file.storageKey), false);
    assert.equal((await world.files.findById(file.id))?.status, 'deleted');
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), { files: 0, bytes: 0 });
    assert.deepEqual(quotaOf(world, file), { files: 0, bytes: 0 });
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.deleted']);
  });

  it('still releases the quota and records file.deleted when the session release fails', async () => {
    const world = filesWorld();
    const file = await storedFile(world, Buffer.from('hello'));
    world.sessionFiles.failRelease = new Error('database down');
    await filesService(world).delete(owner, file.id);
    assert.equal((await world.files.findById(file.id))?.status, 'deleted');
    assert.deepEqual(quotaOf(world, file), { files: 0, bytes: 0 });
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.deleted']);
  });

  it('still releases the session and records file.deleted when the quota release fails', async () => {
    const world = filesWorld();
    const file = await storedFile(world, Buffer.from('hello'));
    world.quotas.failRelease = new Error('database down');
    await filesService(world).delete(owner, file.id);
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), { files: 0, bytes: 0 });
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.deleted']);
  });

  it('keeps a ready file’s day of quota used', async () => {
    const world = filesWorld();
    const file = await storedFile(world, Buffer.from('hello'));
    await world.files.transition(file.id, ['pending'], 'ready', new Date());
    await filesService(world).delete(owner, file.id);
    assert.deepEqual(quotaOf(world, file), { files: 1, bytes: 5 });
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), { files: 0, bytes: 0 });
  });
});
