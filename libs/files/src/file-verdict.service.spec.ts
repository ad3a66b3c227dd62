import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filesWorld, storedFile } from '../test/in-memory-files.js';
import type { Rejection } from './rejection.js';

const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 7)]);
const content: Rejection = { reason: 'content', detail: 'looks like a Windows executable' };

describe('FileVerdictService.reject', () => {
  it('decides first: the file is rejected before its object is deleted', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    const seen: string[] = [];
    world.storage.hook = async (op) => {
      if (op === 'deleteObject') seen.push((await world.files.findById(file.id))?.status ?? '');
    };
    const rejected = await world.verdicts.reject(file, content, new Date());
    assert.equal(rejected.status, 'rejected');
    assert.deepEqual(seen, ['rejected'], 'the delete came after the decision');
    assert.equal(world.storage.objects.has(file.storageKey), false);
  });

  it('lets one of many concurrent rejections give back and record, once', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => world.verdicts.reject(file, content, new Date())),
    );
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), { files: 0, bytes: 0 });
    assert.equal(world.storage.calls.filter((c) => c.op === 'deleteObject').length, 1);
  });

  it('never rejects a file that was accepted meanwhile, nor touches its object', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    await world.files.transition(file.id, ['pending'], 'ready', new Date());
    const answer = await world.verdicts.reject(file, content, new Date());
    assert.equal(answer.status, 'ready');
    assert.equal(world.storage.objects.has(file.storageKey), true);
    assert.deepEqual(world.sessionFiles.events, []);
  });

  it('still gives back and records when the delete fails (the purge repeats it)', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    world.storage.hook = (op) =>
      op === 'deleteObject' ? Promise.reject(new Error('storage down')) : Promise.resolve();
    const rejected = await world.verdicts.reject(file, content, new Date());
    assert.equal(rejected.status, 'rejected');
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), { files: 0, bytes: 0 });
    assert.deepEqual(world.quotas.used.get(`owner-1:${file.quotaDay}`), { files: 0, bytes: 0 });
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
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

describe('FileVerdictService.movedOn', () => {
  it('is null while the file is as it was read, else the file as it is now', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    assert.equal(await world.verdicts.movedOn(file), null);
    await world.verdicts.reject(file, content, new Date());
    assert.equal((await world.verdicts.movedOn(file))?.status, 'rejected');
  });
});

describe('FileVerdictService with a fence', () => {
  it('writes nothing when the fence refuses the decision', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    const lost = new Error('lease lost');
    await assert.rejects(
      world.verdicts.reject(file, content, new Date(), {
        beforeDecision: () => {
          throw lost;
        },
      }),
      lost,
    );
    assert.equal((await world.files.findById(file.id))?.status, 'pending');
    assert.equal(world.storage.objects.has(file.storageKey), true);
    assert.deepEqual(world.sessionFiles.events, []);
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), { files: 1, bytes: exe.length });
  });

  it('checks before the decision only: a refusal there writes nothing, a won decision completes', async () => {
    for (const allowed of [0, 1]) {
      const world = filesWorld();
      const file = await storedFile(world, exe);
      let checks = 0;
      const gate = (): undefined => {
        if (++checks > allowed) throw new Error('lease lost');
      };
      const answer = world.verdicts.reject(file, content, new Date(), { gate });
      if (allowed === 0) await assert.rejects(answer, /lease lost/);
      else assert.equal((await answer).status, 'rejected');
      const decided = allowed === 1;
      assert.equal((await world.files.findById(file.id))?.status, decided ? 'rejected' : 'pending');
      // Once decided, everything the decision owes happens: nobody else would ever do it.
      assert.equal(world.storage.objects.has(file.storageKey), !decided);
      assert.equal(world.sessionFiles.held.get(file.sessionId)?.files, decided ? 0 : 1);
      assert.equal(world.quotas.used.get(`owner-1:${file.quotaDay}`)?.files, decided ? 0 : 1);
      assert.deepEqual(
        world.sessionFiles.typesOf(file.sessionId),
        decided ? ['file.rejected'] : [],
      );
      assert.equal(checks, 1, 'one check, right before the transition');
    }
  });

  it('gives the decision its write deadline: one that reaches the database late decides nothing and owes nothing', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    const deadline = { notAfter: new Date(Date.now() + 60_000) };
    world.ledger.clear();
    world.ledger.serverNow = () => deadline.notAfter.getTime();
    const answer = await world.verdicts.reject(file, content, new Date(), {
      gate: () => deadline,
    });
    assert.equal(answer.status, 'pending', 'the file as it is: not decided');
    assert.deepEqual(world.ledger.writes, [`files.transition:${file.id}:rejected`]);
    assert.equal(world.storage.objects.has(file.storageKey), true);
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), { files: 1, bytes: exe.length });
    assert.deepEqual(world.sessionFiles.events, []);

    // In time, the same verdict decides, and what it owes follows (unfenced, by design).
    world.ledger.serverNow = Date.now;
    assert.equal(
      (await world.verdicts.accept(file, new Date(), { gate: () => deadline })).status,
      'ready',
    );
    assert.deepEqual(world.ledger.unfenced, []);
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.ready']);
  });
});
