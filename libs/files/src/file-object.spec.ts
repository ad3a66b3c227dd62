import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileRecord } from '@app/database';
import { InMemoryStorage } from '../test/in-memory-files.js';
import { removeFileObject } from './file-object.js';

const multipart = (status: FileRecord['status']): Parameters<typeof removeFileObject>[1] => ({
  storageKey: 'sessions/s1/files/f1',
  status,
  upload: { mode: 'multipart', uploadId: 'u1', partSize: 8, partCount: 2 },
});

describe('removeFileObject', () => {
  it('aborts the open upload of a pending multipart file before deleting its key', async () => {
    const storage = new InMemoryStorage();
    await removeFileObject(storage.asService(), multipart('pending'));
    assert.deepEqual(
      storage.calls.map((c) => c.op),
      ['abortMultipartUpload', 'deleteObject'],
    );
  });

  it('only deletes the key of a completed multipart upload, unless told to abort', async () => {
    const storage = new InMemoryStorage();
    await removeFileObject(storage.asService(), multipart('verifying'));
    assert.deepEqual(
      storage.calls.map((c) => c.op),
      ['deleteObject'],
    );
    await removeFileObject(storage.asService(), multipart('rejected'), { abortUpload: true });
    assert.deepEqual(
      storage.calls.map((c) => c.op),
      ['deleteObject', 'abortMultipartUpload', 'deleteObject'],
    );
  });

  it('sends nothing once check refuses', async () => {
    const storage = new InMemoryStorage();
    let checks = 0;
    const check = (): void => {
      if (++checks > 1) throw new Error('lease lost');
    };
    await assert.rejects(
      removeFileObject(storage.asService(), multipart('pending'), { check }),
      /lease lost/,
    );
    assert.deepEqual(
      storage.calls.map((c) => c.op),
      ['abortMultipartUpload'],
    );
  });
});
