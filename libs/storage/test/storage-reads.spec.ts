// The reads the files module relies on, against a real S3 API (devstack or S3_ENDPOINT):
// ranged sniffing, whole-object read-back, single deletes and ListParts pagination.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  randomSuffix,
  startTestBackends,
  type TestBackends,
} from '../../../test/support/backends.js';
import { StorageObjectMissingError } from '../src/errors/storage-errors.js';
import { createStorage, type Storage } from '../src/storage.factory.js';
import { MAX_RANGE_BYTES } from '../src/storage.service.js';
import { putWith, s3SettingsFor, sha256Base64 } from './storage-fixtures.js';

const MiB = 1024 * 1024;

type Gc = (options?: { type: 'minor' | 'major' }) => void;

function exposeGc(): Gc {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Gc;
}
const sha256Hex = (body: Uint8Array): string => createHash('sha256').update(body).digest('hex');

describe('StorageService reads against S3', () => {
  let backends: TestBackends;
  let storage: Storage;

  before(async () => {
    backends = await startTestBackends();
    storage = createStorage(s3SettingsFor(backends));
  });
  after(async () => {
    storage?.close();
    await backends?.stop();
  });

  const store = async (body: Uint8Array, contentType = 'application/octet-stream') => {
    const key = `reads/${randomSuffix()}`;
    const put = storage.presigner.presignPut({
      key,
      contentLength: body.length,
      contentType,
      sha256Base64: sha256Base64(body),
      expiresInSeconds: 120,
      ifNoneMatch: true,
    });
    const res = await putWith(put.url, put.headers, body);
    assert.equal(res.status, 200, await res.text());
    return key;
  };

  describe('getObjectRange', () => {
    it('returns exactly the requested bytes', async () => {
      const body = randomBytes(10_000);
      const key = await store(body);
      assert.deepEqual(await storage.service.getObjectRange(key, 0, 4095), body.subarray(0, 4096));
      assert.deepEqual(
        await storage.service.getObjectRange(key, 5000, 5009),
        body.subarray(5000, 5010),
      );
    });

    it('returns fewer bytes when the object is shorter, none past its end', async () => {
      const body = randomBytes(100);
      const key = await store(body);
      assert.deepEqual(await storage.service.getObjectRange(key, 0, 4095), body);
      assert.deepEqual(await storage.service.getObjectRange(key, 100, 200), Buffer.alloc(0));
      const empty = await store(new Uint8Array(0));
      assert.deepEqual(await storage.service.getObjectRange(empty, 0, 4095), Buffer.alloc(0));
      assert.equal(storage.policy.circuitState, 'closed');
    });

    it('is null for a missing key, like headObject', async () => {
      assert.equal(await storage.service.getObjectRange(`missing/${randomSuffix()}`, 0, 10), null);
    });

    it('refuses ranges over 64 KiB, empty or negative, without calling storage', async () => {
      for (const [start, end] of [
        [0, MAX_RANGE_BYTES],
        [10, 9],
        [-1, 10],
        [0.5, 10],
      ] as const) {
        await assert.rejects(storage.service.getObjectRange('any', start, end), RangeError);
      }
      const key = await store(randomBytes(MAX_RANGE_BYTES + 10));
      const max = await storage.service.getObjectRange(key, 0, MAX_RANGE_BYTES - 1);
      assert.equal(max?.length, MAX_RANGE_BYTES);
    });
  });

  describe('readObjectSha256', () => {
    it('hashes the whole object, also an empty one', async () => {
      const body = randomBytes(3 * MiB + 17);
      const key = await store(body);
      assert.deepEqual(await storage.service.readObjectSha256(key), {
        sha256Hex: sha256Hex(body),
        size: body.length,
      });
      const empty = await store(new Uint8Array(0));
      assert.deepEqual(await storage.service.readObjectSha256(empty), {
        sha256Hex: sha256Hex(new Uint8Array(0)),
        size: 0,
      });
    });

    it('is null for a missing key', async () => {
      assert.equal(await storage.service.readObjectSha256(`missing/${randomSuffix()}`), null);
      assert.equal(storage.policy.circuitState, 'closed');
    });

    it('reads a 64 MiB multipart object in constant memory', async () => {
      const key = `reads/${randomSuffix()}`;
      const { uploadId } = await storage.service.createMultipartUpload({
        key,
        contentType: 'application/octet-stream',
        checksumSha256: true,
      });
      const part = randomBytes(8 * MiB);
      const whole = createHash('sha256');
      const count = 8;
      for (let n = 1; n <= count; n++) {
        // Same bytes with a different first byte per part: distinct parts, one buffer.
        part[0] = n;
        whole.update(part);
        const req = storage.presigner.presignUploadPart({
          key,
          uploadId,
          partNumber: n,
          contentLength: part.length,
          sha256Base64: sha256Base64(part),
          expiresInSeconds: 120,
        });
        const res = await putWith(req.url, req.headers, part);
        assert.equal(res.status, 200, await res.text());
      }
      const parts = await storage.service.listParts(key, uploadId);
      await storage.service.completeMultipartUpload({ key, uploadId, parts });

      // Live memory, not garbage: a quick young-generation collection before each sample
      // frees the chunks already hashed (they otherwise stay counted until V8 gets round to
      // it), so a reader that kept them would show ~64 MiB here, a streaming one a few (up to
      // ~25 on a loaded machine: chunks that outlive two scavenges wait for a full collection;
      // the in-process devstack's own buffers count too).
      const gc = exposeGc();
      gc();
      const before = process.memoryUsage().arrayBuffers;
      let peak = 0;
      let samples = 0;
      const sampler = setInterval(() => {
        gc({ type: 'minor' });
        samples++;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      }, 20);
      try {
        const result = await storage.service.readObjectSha256(key);
        assert.deepEqual(result, { sha256Hex: whole.digest('hex'), size: count * part.length });
      } finally {
        clearInterval(sampler);
      }

      assert.ok(samples >= 3, `only ${samples} memory samples during the read`);
      assert.ok(peak < 40 * MiB, `${Math.round(peak / MiB)} MiB of live buffers reading 64 MiB`);
    });
  });

  it('headObject shows a Content-Encoding the uploader added (unsigned headers are stored)', async () => {
    const key = `reads/${randomSuffix()}`;
    const body = randomBytes(10);
    const put = storage.presigner.presignPut({
      key,
      contentLength: body.length,
      contentType: 'application/octet-stream',
      sha256Base64: sha256Base64(body),
      expiresInSeconds: 120,
      ifNoneMatch: true,
    });
    const res = await putWith(put.url, { ...put.headers, 'content-encoding': 'gzip' }, body);
    assert.equal(res.status, 200, await res.text());
    assert.equal((await storage.service.headObject(key))?.contentEncoding, 'gzip');
    const plain = await store(body);
    assert.equal((await storage.service.headObject(plain))?.contentEncoding, undefined);
  });

  it('deleteObject removes an object and is idempotent', async () => {
    const key = await store(randomBytes(10));
    await storage.service.deleteObject(key);
    assert.equal(await storage.service.headObject(key), null);
    await storage.service.deleteObject(key);
    await storage.service.deleteObject(`missing/${randomSuffix()}`);
  });

  it('listParts follows pagination to the last part', async () => {
    const key = `reads/${randomSuffix()}`;
    const { uploadId } = await storage.service.createMultipartUpload({
      key,
      contentType: 'application/octet-stream',
      checksumSha256: true,
    });
    const bodies = Array.from({ length: 7 }, () => randomBytes(100));
    // Out of order, as parallel uploads finish.
    for (const n of [3, 1, 7, 2, 6, 4, 5]) {
      const body = bodies[n - 1];
      const req = storage.presigner.presignUploadPart({
        key,
        uploadId,
        partNumber: n,
        contentLength: body.length,
        sha256Base64: sha256Base64(body),
        expiresInSeconds: 120,
      });
      assert.equal((await putWith(req.url, req.headers, body)).status, 200);
    }
    const expected = bodies.map((b, i) => [i + 1, b.length, sha256Base64(b)]);
    for (const pageSize of [1, 2, 3, 7, undefined]) {
      const parts = await storage.service.listParts(key, uploadId, { pageSize });
      assert.deepEqual(
        parts.map((p) => [p.partNumber, p.size, p.checksumSha256]),
        expected,
        `pageSize ${String(pageSize)}`,
      );
    }
    await storage.service.abortMultipartUpload(key, uploadId);
    await assert.rejects(storage.service.listParts(key, uploadId), StorageObjectMissingError);
  });
});
