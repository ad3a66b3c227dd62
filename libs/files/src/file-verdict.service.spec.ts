import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filesWorld, storedFile } from '../test/in-memory-files.js';
import type { Rejection } from './rejection.js';

const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 7)]);
const content: Rejection = { reason: 'content', detail: 'looks like a Windows executable' };

describe('FileVerdictService.reject', () => {
  it('never rejects a file that was accepted meanwhile, nor touches its object', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    await world.files.transition(file.id, ['pending'], 'ready', new Date());
    const answer = await world.verdicts.reject(file, content, new Date());
    assert.equal(answer.status, 'ready');
    assert.equal(world.storage.objects.has(file.storageKey), true);
    assert.deepEqual(world.sessionFiles.events, []);
  });

  it('releases the quota and records the event when the session release fails, and the other way round', async () => {
    const world = filesWorld();
    const first = await storedFile(world, exe);
    world.sessionFiles.failRelease = new Error('database down');
    assert.equal((await world.verdicts.reject(first, content, new Date())).status, 'rejected');
    assert.deepEqual(world.quotas.used.get(`owner-1:${first.quotaDay}`), { files: 0, bytes: 0 });
    assert.deepEqual(world.sessionFiles.typesOf(first.sessionId), ['file.rejected']);

    world.sessionFiles.failRelease = null;
    const second = await storedFile(world, exe);
    world.quotas.failRelease = new Error('database down');
    assert.equal((await world.verdicts.reject(second, content, new Date())).status, 'rejected');
    assert.deepEqual(world.sessionFiles.held.get(second.sessionId), { files: 0, bytes: 0 });
    assert.deepEqual(world.sessionFiles.typesOf(second.sessionId), ['file.rejected']);
  });
});
