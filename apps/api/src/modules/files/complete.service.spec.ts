import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, type Principal } from '@app/common';
import type { FileRecord, SessionRecord } from '@app/database';
import { StorageRequestRejectedError } from '@app/storage';
import {
  filesWorld,
  gate,
  storedFile,
  type FilesWorld,
} from '../../../../../libs/files/test/in-memory-files.js';
import { CompleteService } from './complete.service.js';
import type { FileAccessService } from './file-access.service.js';

const owner: Principal = { kind: 'user', userId: 'owner-1' } as Principal;
// A Windows executable declared as image/png.
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(2046, 3)]);

function completer(world: FilesWorld): CompleteService {
  const session = { expiresAt: new Date(Date.now() + 3_600_000) } as SessionRecord;
  const access = {
    uploaded: async (_principal: Principal, fileId: string) => {
      const file = await world.files.findById(fileId);
      assert.ok(file);
      return { file, session };
    },
    assertLive: () => undefined,
  } as unknown as FileAccessService;
  return new CompleteService(world.files, world.storage.asService(), access, world.verdicts);
}

/** The status of a complete's answer: 200 or the AppError's code. */
const answer = (service: CompleteService, file: FileRecord): Promise<string> =>
  service.complete(owner, file.id, {}).then(
    (res) => `200 ${res.status}`,
    (err: unknown) => (err instanceof AppError ? err.code : String(err)),
  );

describe('CompleteService (single upload) under concurrent completes', () => {
  it('never accepts what a concurrent rejection is deleting: the later read of a missing object answers the rejection', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    const service = completer(world);
    // B has passed its HEAD and is held before its ranged GET; A rejects meanwhile and is held
    // right after its delete.
    const bAtRange = gate();
    const aDeleted = gate();
    const resumeA = gate();
    let ranges = 0;
    world.storage.hook = async (op) => {
      if (op === 'getObjectRange' && ++ranges === 1) {
        bAtRange.open();
        await aDeleted.wait;
      }
    };
    world.storage.afterDelete = async () => {
      aDeleted.open();
      await resumeA.wait;
    };
    const b = answer(service, file);
    await bAtRange.wait;
    const a = answer(service, file);
    const bAnswer = await b;
    resumeA.open();
    assert.deepEqual([await a, bAnswer], ['INTEGRITY_MISMATCH', 'INTEGRITY_MISMATCH']);
    assert.equal((await world.files.findById(file.id))?.status, 'rejected');
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
  });

  it('answers the rejection, not 409, to a complete whose HEAD finds the object already deleted', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    const service = completer(world);
    // C read the file while pending; its HEAD runs once A has rejected it and deleted the object.
    const cAtHead = gate();
    const aDone = gate();
    let heads = 0;
    world.storage.hook = async (op) => {
      if (op === 'headObject' && ++heads === 1) {
        cAtHead.open();
        await aDone.wait;
      }
    };
    const c = answer(service, file);
    await cAtHead.wait;
    assert.equal(await answer(service, file), 'INTEGRITY_MISMATCH');
    aDone.open();
    assert.equal(await c, 'INTEGRITY_MISMATCH');
    assert.deepEqual(world.sessionFiles.typesOf(file.sessionId), ['file.rejected']);
  });

  it('still answers 409 UPLOAD_INCOMPLETE while a pending file has no object', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    world.storage.objects.clear();
    assert.equal(await answer(completer(world), file), 'UPLOAD_INCOMPLETE');
    assert.equal((await world.files.findById(file.id))?.status, 'pending');
  });

  it('answers 409, not empty content, when the object vanishes between HEAD and the sniff of a pending file', async () => {
    const world = filesWorld();
    const file = await storedFile(world, exe);
    world.storage.hook = (op, key) => {
      if (op === 'getObjectRange') world.storage.objects.delete(key);
      return Promise.resolve();
    };
    assert.equal(await answer(completer(world), file), 'UPLOAD_INCOMPLETE');
    assert.equal((await world.files.findById(file.id))?.status, 'pending');
  });
});

describe('CompleteService (multipart)', () => {
  for (const code of ['InvalidPart', 'InvalidPartOrder']) {
    it(`answers 409 UPLOAD_INCOMPLETE when storage refuses the part list as ${code}`, async () => {
      const world = filesWorld();
      const size = 8 * 1024 * 1024;
      const file = await storedFile(world, Buffer.alloc(0), {
        size,
        upload: { mode: 'multipart', uploadId: 'u-1', partSize: size, partCount: 1 },
      });
      world.storage.parts = [{ partNumber: 1, size, etag: '"stale"', checksumSha256: 'x' }];
      world.storage.completeMultipart = () =>
        Promise.reject(new StorageRequestRejectedError('CompleteMultipartUpload', code, 400));
      assert.equal(await answer(completer(world), file), 'UPLOAD_INCOMPLETE');
      assert.equal((await world.files.findById(file.id))?.status, 'pending');
    });
  }
});
