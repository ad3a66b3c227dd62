import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileRecord } from '@app/database';
import { filesWorld, storedFile, type FilesWorld } from '../test/in-memory-files.js';

const bytes = Buffer.from('a multipart upload, assembled\n'.repeat(100));

/** A file storage completed, waiting for its read-back. */
async function verifying(world: FilesWorld): Promise<FileRecord> {
  const file = await storedFile(world, bytes, { contentType: 'text/plain' });
  const moved = await world.files.transition(file.id, ['pending'], 'verifying', new Date());
  assert.ok(moved);
  return moved;
}

describe('FileVerifier', () => {
  it('accepts a file whose read-back matches', async () => {
    const world = filesWorld();
    const file = await verifying(world);
    assert.equal((await world.verifier.verifyOne())?.status, 'ready');
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.ready']);
    assert.equal(await world.verifier.verifyOne(), null);
  });

  it('never sniffs a missing head as empty content: the object gone after the read-back is a rejection', async () => {
    const world = filesWorld();
    const file = await verifying(world);
    world.storage.hook = (op, key) => {
      if (op === 'getObjectRange') world.storage.objects.delete(key);
      return Promise.resolve();
    };
    const settled = await world.verifier.verifyOne();
    assert.equal(settled?.status, 'rejected');
    assert.match(settled?.rejectedReason ?? '', /^missing: /);
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
  });

  it('answers a file deleted during its read-back as deleted, without a rejection of its own', async () => {
    const world = filesWorld();
    const file = await verifying(world);
    world.storage.hook = async (op, key) => {
      if (op !== 'readObjectSha256') return;
      // The owner's DELETE: object first, record second.
      world.storage.objects.delete(key);
      await world.files.transition(file.id, ['verifying'], 'deleted', new Date());
    };
    assert.equal((await world.verifier.verifyOne())?.status, 'deleted');
    assert.deepEqual(world.sessionFiles.events, []);
  });
});
