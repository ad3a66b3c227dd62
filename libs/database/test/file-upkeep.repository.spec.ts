// The FileRepository's bookkeeping for the worker: the expiry of the last upload URL issued, and
// the verification lease's attempts and renewals.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FileStatus, NewFile } from '../src/files/file.repository.js';
import {
  newFile,
  startFileRepositories,
  type FileRepositoriesFixture,
} from './file-repositories.js';
import { hour, minute } from './session-repositories.js';

describe('FileRepository upkeep against MongoDB', () => {
  let fixture: FileRepositoriesFixture;
  const stored = (id: string) => fixture.raw('files').findOne({ _id: id });

  const fileIn = async (status: FileStatus, overrides: Partial<NewFile> = {}) => {
    const created = await fixture.files.create(newFile(overrides));
    if (status === 'pending') return created;
    const moved = await fixture.files.transition(created.id, ['pending'], status, new Date());
    assert.ok(moved);
    return moved;
  };

  before(async () => {
    fixture = await startFileRepositories('file_upkeep');
  });
  after(async () => {
    await fixture.close();
  });

  it('stores the upload URL expiry and keeps the latest one noted, while pending only', async () => {
    const t0 = new Date(Date.now() - hour);
    const file = await fixture.files.create(newFile({ uploadUrlExpiresAt: t0 }));
    assert.deepEqual(file.uploadUrlExpiresAt, t0);
    assert.equal(file.objectPurgedAt, null);
    assert.equal(file.verifyAttempts, 0);

    const later = new Date(t0.getTime() + 10 * minute);
    assert.deepEqual(
      (await fixture.files.noteUploadUrl(file.id, later))?.uploadUrlExpiresAt,
      later,
    );
    // An earlier expiry (a shorter-lived batch) never shortens what was handed out.
    const noted = await fixture.files.noteUploadUrl(file.id, t0);
    assert.deepEqual(noted?.uploadUrlExpiresAt, later);

    const none = await fixture.files.create(newFile({ uploadUrlExpiresAt: null }));
    assert.equal(none.uploadUrlExpiresAt, null);
    assert.deepEqual((await fixture.files.noteUploadUrl(none.id, t0))?.uploadUrlExpiresAt, t0);

    const done = await fileIn('verifying');
    assert.equal(await fixture.files.noteUploadUrl(done.id, later), null);
    assert.deepEqual(
      (await fixture.files.findById(done.id))?.uploadUrlExpiresAt,
      done.uploadUrlExpiresAt,
    );
    assert.equal(await fixture.files.noteUploadUrl('AAAAAAAAAAAAAAAAAAAAAA', later), null);
  });

  it('reads a document written before these fields as none recorded, no attempt, not purged', async () => {
    const file = await fixture.files.create(newFile());
    await fixture.raw('files').updateOne(
      { _id: file.id },
      {
        $unset: {
          uploadUrlExpiresAt: '',
          objectPurgedAt: '',
          verifyAttempts: '',
        },
      },
    );
    const read = await fixture.files.findById(file.id);
    assert.equal(read?.uploadUrlExpiresAt, null);
    assert.equal(read?.objectPurgedAt, null);
    assert.equal(read?.verifyAttempts, 0);
  });

  it('counts each verification lease, renews only the lease held, and gives an attempt back', async () => {
    await fixture.raw('files').updateMany({ status: 'verifying' }, { $set: { status: 'ready' } });
    const file = await fileIn('verifying');
    const now = new Date();
    const leaseMs = 5 * minute;

    const first = await fixture.files.leaseVerification(now, leaseMs);
    assert.equal(first?.id, file.id);
    assert.equal(first?.verifyAttempts, 1);
    const heldUntil = new Date(now.getTime() + leaseMs);

    // Renewed: still held past the first lease's end.
    const renewedUntil = new Date(heldUntil.getTime() + leaseMs);
    assert.equal(await fixture.files.renewVerification(file.id, heldUntil, renewedUntil), true);
    assert.deepEqual((await stored(file.id))?.verifyLeaseUntil, renewedUntil);
    assert.equal(await fixture.files.leaseVerification(heldUntil, leaseMs), null);
    // The old lease value is no longer held: a second renewal with it changes nothing.
    assert.equal(await fixture.files.renewVerification(file.id, heldUntil, new Date(0)), false);

    // Expired and taken over by another verifier (attempt 2): the first can no longer renew.
    const takenAt = renewedUntil;
    const second = await fixture.files.leaseVerification(takenAt, leaseMs);
    assert.equal(second?.verifyAttempts, 2);
    const secondUntil = new Date(takenAt.getTime() + leaseMs);
    assert.equal(
      await fixture.files.renewVerification(
        file.id,
        renewedUntil,
        new Date(takenAt.getTime() + hour),
      ),
      false,
    );
    assert.deepEqual((await stored(file.id))?.verifyLeaseUntil, secondUntil);

    // Storage was down: the lease is freed and the attempt does not count.
    await fixture.files.releaseVerification(file.id, renewedUntil);
    assert.equal((await stored(file.id))?.verifyAttempts, 2, 'not the holder: nothing changes');
    await fixture.files.releaseVerification(file.id, secondUntil);
    const released = await stored(file.id);
    assert.equal(released?.verifyLeaseUntil, null);
    assert.equal(released?.verifyAttempts, 1);
    assert.equal((await fixture.files.leaseVerification(takenAt, leaseMs))?.verifyAttempts, 2);

    // Settled: no renewal.
    await fixture.files.transition(file.id, ['verifying'], 'ready', new Date());
    assert.equal(
      await fixture.files.renewVerification(file.id, secondUntil, new Date(Date.now() + hour)),
      false,
    );
  });

  it('takes, renews and gives back no verification lease past the write deadline', async () => {
    await fixture.raw('files').updateMany({ status: 'verifying' }, { $set: { status: 'ready' } });
    const file = await fileIn('verifying');
    const now = new Date();
    const leaseMs = 5 * minute;
    const past = { notAfter: new Date(Date.now() - minute) };
    const future = { notAfter: new Date(Date.now() + minute) };

    assert.equal(await fixture.files.leaseVerification(now, leaseMs, past), null);
    assert.equal((await stored(file.id))?.verifyAttempts, 0, 'no attempt counted');
    const leased = await fixture.files.leaseVerification(now, leaseMs, future);
    assert.equal(leased?.id, file.id);
    const heldUntil = new Date(now.getTime() + leaseMs);

    const later = new Date(heldUntil.getTime() + leaseMs);
    assert.equal(await fixture.files.renewVerification(file.id, heldUntil, later, past), false);
    assert.deepEqual((await stored(file.id))?.verifyLeaseUntil, heldUntil);
    await fixture.files.releaseVerification(file.id, heldUntil, past);
    assert.equal((await stored(file.id))?.verifyAttempts, 1, 'the attempt is not given back');
    assert.deepEqual((await stored(file.id))?.verifyLeaseUntil, heldUntil);

    assert.equal(await fixture.files.renewVerification(file.id, heldUntil, later, future), true);
    await fixture.files.releaseVerification(file.id, later, future);
    assert.equal((await stored(file.id))?.verifyLeaseUntil, null);
    assert.equal((await stored(file.id))?.verifyAttempts, 0);
  });
});
