import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, toProblem, type Principal } from '@app/common';
import type { SessionRecord } from '@app/database';
import { filesWorld, storedFile } from '../../../../../libs/files/test/in-memory-files.js';
import type { SessionAccessService } from '../sessions/index.js';
import { FileAccessService } from './file-access.service.js';

const owner = { kind: 'user', userId: 'owner-1' } as Principal;

/** FileAccessService whose session read does `readable`. */
function accessWith(readable: () => Promise<SessionRecord>) {
  const world = filesWorld();
  const sessions = { readable } as unknown as SessionAccessService;
  return { world, access: new FileAccessService(world.files, sessions) };
}

const databaseDown = (): Error => {
  const err = new Error('connection refused');
  err.name = 'MongoServerSelectionError';
  return err;
};

describe('FileAccessService.find', () => {
  it('answers 404 for a file whose session the principal may not read', async () => {
    const { world, access } = accessWith(() =>
      Promise.reject(new AppError('NOT_FOUND', 'Session not found')),
    );
    const file = await storedFile(world, Buffer.from('x'));
    await assert.rejects(
      access.find(owner, file.id),
      (err: unknown) => err instanceof AppError && err.code === 'NOT_FOUND',
    );
  });

  it('lets a database outage through as what it is (503), never as 404', async () => {
    const { world, access } = accessWith(() => Promise.reject(databaseDown()));
    const file = await storedFile(world, Buffer.from('x'));
    const failure = await access.find(owner, file.id).then(
      () => assert.fail('resolved'),
      (err: unknown) => err,
    );
    assert.equal(failure instanceof Error && failure.name, 'MongoServerSelectionError');
    assert.equal(toProblem(failure).status, 503);
    assert.equal(toProblem(failure).code, 'DATABASE_UNAVAILABLE');
  });
});
