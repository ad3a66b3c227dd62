import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { FileRecord } from '@app/database';
import { StorageUnavailableError } from '@app/storage';
import { filesWorld, gate, storedFile, type FilesWorld } from '../test/in-memory-files.js';
import { MAX_VERIFY_ATTEMPTS } from './file-verifier.js';
import { VerificationLeaseLostError } from './verification-lease.js';

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

  it('keeps its lease renewed during a read-back longer than the lease', async () => {
    // A 300 ms lease, renewed every 100 ms; the read takes a second.
    const world = filesWorld({ verifyLeaseSeconds: 0.3 });
    const file = await verifying(world);
    const reading = gate();
    const release = gate();
    world.storage.hook = async (op) => {
      if (op !== 'readObjectSha256') return;
      reading.open();
      await release.wait;
    };
    const verification = world.verifier.verifyOne();
    await reading.wait;
    for (let i = 0; i < 5; i++) {
      await sleep(200);
      assert.equal(
        await world.files.leaseVerification(new Date(), 300),
        null,
        'no other verifier may take the file while it is read',
      );
    }
    assert.ok((world.files.leaseOf(file.id)?.getTime() ?? 0) > Date.now());
    release.open();
    assert.equal((await verification)?.status, 'ready');
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.ready']);
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

  it(`rejects a file whose verification fails ${String(MAX_VERIFY_ATTEMPTS)} times, giving everything back`, async () => {
    const world = filesWorld();
    const file = await verifying(world);
    world.storage.hook = (op) =>
      op === 'readObjectSha256' ? Promise.reject(new Error('stream broke')) : Promise.resolve();
    // Each failed attempt leaves the lease to expire; look again once it has.
    let at = Date.now();
    const next = () => new Date((at += 301_000));
    for (let attempt = 1; attempt < MAX_VERIFY_ATTEMPTS; attempt++) {
      await assert.rejects(world.verifier.verifyOne(next()), /stream broke/);
      assert.equal((await world.files.findById(file.id))?.status, 'verifying');
    }
    const rejected = await world.verifier.verifyOne(next());
    assert.equal(rejected?.status, 'rejected');
    assert.equal(
      rejected?.rejectedReason,
      `verification: verification failed ${String(MAX_VERIFY_ATTEMPTS)} times`,
    );
    assert.equal(world.storage.objects.has(file.storageKey), false);
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), { files: 0, bytes: 0 });
    assert.deepEqual(world.quotas.used.get(`owner-1:${file.quotaDay}`), { files: 0, bytes: 0 });
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
    assert.equal(await world.verifier.verifyOne(next()), null);
  });

  it('rejects without reading a file whose earlier verifications all died with their worker', async () => {
    const world = filesWorld();
    const file = await verifying(world);
    let at = Date.now();
    for (let i = 0; i < MAX_VERIFY_ATTEMPTS; i++) {
      assert.ok(await world.files.leaseVerification(new Date((at += 301_000)), 300_000));
    }
    const rejected = await world.verifier.verifyOne(new Date(at + 301_000));
    assert.equal(rejected?.status, 'rejected');
    assert.match(rejected?.rejectedReason ?? '', /^verification: /);
    assert.equal(world.storage.calls.filter((c) => c.op === 'readObjectSha256').length, 0);
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
  });

  it('does not count attempts storage was unavailable for', async () => {
    const world = filesWorld();
    const file = await verifying(world);
    let down = true;
    world.storage.hook = (op) =>
      down && op === 'readObjectSha256'
        ? Promise.reject(new StorageUnavailableError('circuit open', 5))
        : Promise.resolve();
    for (let i = 0; i < 3 * MAX_VERIFY_ATTEMPTS; i++) {
      // The lease was given back with the attempt: the next look may take the file at once.
      await assert.rejects(world.verifier.verifyOne(), StorageUnavailableError);
    }
    assert.equal((await world.files.findById(file.id))?.verifyAttempts, 0);
    down = false;
    assert.equal((await world.verifier.verifyOne())?.status, 'ready');
  });

  it('decides nothing once another verifier took the file over during the read-back', async () => {
    // A 300 ms lease renewed every 100 ms: the first renewal finds the lease taken over.
    const world = filesWorld({ verifyLeaseSeconds: 0.3 });
    const file = await verifying(world);
    const reading = gate();
    const release = gate();
    world.storage.hook = async (op) => {
      if (op !== 'readObjectSha256') return;
      reading.open();
      await release.wait;
    };
    const verification = world.verifier.verifyOne();
    await reading.wait;
    const held = world.files.docs.get(file.id);
    assert.ok(held);
    // What another replica's leaseVerification leaves once this one stalled past its lease.
    held.verifyLeaseUntil = new Date(Date.now() + 60_000);
    await sleep(250);
    release.open();
    await assert.rejects(verification, VerificationLeaseLostError);
    assert.equal((await world.files.findById(file.id))?.status, 'verifying');
    assert.deepEqual(world.sessionFiles.events, []);
    assert.deepEqual(world.sessionFiles.held.get(file.sessionId), {
      files: 1,
      bytes: bytes.length,
    });
  });

  it('writes nothing once its caller’s fence refuses, and leaves the file to the next lease', async () => {
    const world = filesWorld();
    const file = await verifying(world);
    const lost = new Error('job lease lost');
    let checks = 0;
    // Allows the lease (the first write), refuses from the verdict's transition on.
    const jobGate = (): undefined => {
      if (++checks > 1) throw lost;
    };
    await assert.rejects(world.verifier.verifyOne(new Date(), { gate: jobGate }), lost);
    assert.equal((await world.files.findById(file.id))?.status, 'verifying');
    assert.deepEqual(world.sessionFiles.events, []);
    assert.equal(world.storage.objects.has(file.storageKey), true);

    const stopped = new Error('refused at once');
    await assert.rejects(
      world.verifier.verifyOne(new Date(Date.now() + 301_000), {
        gate: () => {
          throw stopped;
        },
      }),
      stopped,
    );
    assert.equal((await world.files.findById(file.id))?.verifyAttempts, 1, 'no lease taken');
    assert.equal((await world.verifier.verifyOne(new Date(Date.now() + 301_000)))?.status, 'ready');
  });

  it('stops renewing the file’s lease once its caller’s fence refuses', async () => {
    const world = filesWorld({ verifyLeaseSeconds: 0.3 });
    await verifying(world);
    const reading = gate();
    const release = gate();
    world.storage.hook = async (op) => {
      if (op !== 'readObjectSha256') return;
      reading.open();
      await release.wait;
    };
    let refuse = false;
    const jobGate = (): undefined => {
      if (refuse) throw new Error('job lease lost');
    };
    const verification = world.verifier.verifyOne(new Date(), { gate: jobGate });
    await reading.wait;
    refuse = true;
    world.ledger.clear();
    await sleep(350);
    release.open();
    await assert.rejects(verification, /job lease lost/);
    assert.deepEqual(world.ledger.writes, [], 'no renewal, no verdict, no give-back');
  });

  it('sends every write of a verification with its caller’s write deadline', async () => {
    const world = filesWorld();
    await verifying(world);
    const bad = await verifying(world);
    world.storage.put(bad.storageKey, Buffer.from('not what was declared'));
    world.ledger.clear();
    const deadline = { notAfter: new Date(Date.now() + 60_000) };
    const options = { gate: () => deadline };
    const settled = [await world.verifier.verifyOne(new Date(), options)];
    settled.push(await world.verifier.verifyOne(new Date(), options));
    assert.deepEqual(settled.map((f) => f?.status).sort(), ['ready', 'rejected']);
    // The leases and both decisions; what a won rejection owes is not fenced.
    assert.equal(world.ledger.writes.filter((x) => x.startsWith('files.')).length, 4);
    assert.deepEqual(world.ledger.unfenced, []);
  });

  it('decides nothing when its decision reaches the database past the deadline, and leaves the file to the next lease', async () => {
    const world = filesWorld();
    const file = await verifying(world);
    const deadline = { notAfter: new Date(Date.now() + 60_000) };
    // Paused during the read-back: the decision arrives after the deadline.
    world.storage.hook = (op) => {
      if (op === 'readObjectSha256') world.ledger.serverNow = () => deadline.notAfter.getTime();
      return Promise.resolve();
    };
    const settled = await world.verifier.verifyOne(new Date(), { gate: () => deadline });
    assert.equal(settled?.status, 'verifying');
    assert.deepEqual(world.sessionFiles.events, []);
    assert.equal((await world.files.findById(file.id))?.status, 'verifying');

    world.storage.hook = () => Promise.resolve();
    world.ledger.serverNow = Date.now;
    assert.equal((await world.verifier.verifyOne(new Date(Date.now() + 301_000)))?.status, 'ready');
  });
});
