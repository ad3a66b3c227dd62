import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  randomSuffix,
  startTestBackends,
  type TestBackends,
} from '../../../test/support/backends.js';
import { StorageObjectMissingError } from '../src/errors/storage-errors.js';
import { SigV4Presigner } from '../src/presign/sigv4-presigner.js';
import { createStorage, type Storage } from '../src/storage.factory.js';
import { putWith, s3SettingsFor, sha256Base64 } from './storage-fixtures.js';

describe('StorageService and presigned URLs against S3', () => {
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

  const presignPut = (key: string, body: Uint8Array, ifNoneMatch = false) =>
    storage.presigner.presignPut({
      key,
      contentLength: body.length,
      contentType: 'text/plain; charset=utf-8',
      sha256Base64: sha256Base64(body),
      expiresInSeconds: 120,
      ifNoneMatch,
    });

  it('a presigned PUT stores the bytes; headObject and a presigned GET return them', async () => {
    const key = `files/${randomSuffix()}`;
    const body = new TextEncoder().encode('hello, sharexpress');
    const put = presignPut(key, body, true);
    const res = await putWith(put.url, put.headers, body);
    assert.equal(res.status, 200, await res.text());

    const info = await storage.service.headObject(key);
    assert.ok(info);
    assert.equal(info.size, body.length);
    assert.equal(info.checksumSha256, sha256Base64(body));
    assert.equal(info.contentType, 'text/plain; charset=utf-8');
    assert.ok(info.etag.length > 0);
    assert.ok(info.lastModified instanceof Date);

    const disposition = `attachment; filename="hello.txt"; filename*=UTF-8''h%C3%A9llo.txt`;
    const get = storage.presigner.presignGet({
      key,
      expiresInSeconds: 30,
      responseContentDisposition: disposition,
    });
    const got = await fetch(get.url);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-disposition'), disposition);
    assert.deepEqual(new Uint8Array(await got.arrayBuffer()), body);
  });

  it('refuses bytes that do not match the signed checksum (400), and stores nothing', async () => {
    const key = `files/${randomSuffix()}`;
    const body = randomBytes(64);
    const put = presignPut(key, body);
    const other = randomBytes(64);
    const res = await putWith(put.url, put.headers, other);
    assert.equal(res.status, 400);
    assert.equal(await storage.service.headObject(key), null);
  });

  it('refuses a body whose length differs from the signed content-length', async () => {
    const key = `files/${randomSuffix()}`;
    const body = randomBytes(64);
    const put = presignPut(key, body);
    const longer = new Uint8Array([...body, 1]);
    const res = await putWith(put.url, { ...put.headers }, longer);
    assert.ok(res.status === 400 || res.status === 403, `status ${res.status}`);
    assert.equal(await storage.service.headObject(key), null);
  });

  it('refuses a different content type than the one signed', async () => {
    const key = `files/${randomSuffix()}`;
    const body = randomBytes(16);
    const put = presignPut(key, body);
    const res = await putWith(put.url, { ...put.headers, 'content-type': 'text/html' }, body);
    assert.equal(res.status, 403);
  });

  it('with ifNoneMatch, a second PUT to the same key is refused (412)', async () => {
    const key = `files/${randomSuffix()}`;
    const body = randomBytes(32);
    const first = presignPut(key, body, true);
    assert.equal((await putWith(first.url, first.headers, body)).status, 200);
    const again = presignPut(key, body, true);
    assert.equal((await putWith(again.url, again.headers, body)).status, 412);
  });

  it('an expired URL is refused (403)', async () => {
    const s3 = s3SettingsFor(backends);
    const past = new SigV4Presigner({
      publicEndpoint: s3.publicEndpoint,
      region: s3.region,
      bucket: s3.bucket,
      forcePathStyle: true,
      credentials: s3.credentials ?? assert.fail('static keys expected'),
      now: () => new Date(Date.now() - 10 * 60_000),
    });
    const key = `files/${randomSuffix()}`;
    const body = randomBytes(8);
    const put = past.presignPut({
      key,
      contentLength: 8,
      contentType: 'application/octet-stream',
      sha256Base64: sha256Base64(body),
      expiresInSeconds: 60,
    });
    assert.equal((await putWith(put.url, put.headers, body)).status, 403);
  });

  it('headObject of a missing key is null, 20 times, and the breaker stays closed', async () => {
    for (let i = 0; i < 20; i++) {
      assert.equal(await storage.service.headObject(`missing/${randomSuffix()}`), null);
    }
    assert.equal(storage.policy.circuitState, 'closed');
  });

  it('multipart: presigned parts with checksums, listParts, complete', async () => {
    const key = `files/${randomSuffix()}`;
    const { uploadId } = await storage.service.createMultipartUpload({
      key,
      contentType: 'application/octet-stream',
      checksumSha256: true,
    });
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    for (const [i, bytes] of parts.entries()) {
      const req = storage.presigner.presignUploadPart({
        key,
        uploadId,
        partNumber: i + 1,
        contentLength: bytes.length,
        sha256Base64: sha256Base64(bytes),
        expiresInSeconds: 120,
      });
      const res = await putWith(req.url, req.headers, bytes);
      assert.equal(res.status, 200, await res.text());
    }
    const listed = await storage.service.listParts(key, uploadId);
    assert.deepEqual(
      listed.map((p) => [p.partNumber, p.size, p.checksumSha256]),
      parts.map((b, i) => [i + 1, b.length, sha256Base64(b)]),
    );
    const done = await storage.service.completeMultipartUpload({ key, uploadId, parts: listed });
    assert.ok(done.etag.length > 0);
    const info = await storage.service.headObject(key);
    assert.equal(info?.size, parts[0].length + parts[1].length);
  });

  it('multipart: abort is idempotent and the upload is gone afterwards', async () => {
    const key = `files/${randomSuffix()}`;
    const { uploadId } = await storage.service.createMultipartUpload({
      key,
      contentType: 'application/octet-stream',
    });
    await storage.service.abortMultipartUpload(key, uploadId);
    await storage.service.abortMultipartUpload(key, uploadId);
    await assert.rejects(storage.service.listParts(key, uploadId), StorageObjectMissingError);
    assert.equal(storage.policy.circuitState, 'closed');
  });

  it('deleteObjects removes stored keys and counts missing ones as deleted; listObjects pages', async () => {
    const prefix = `del-${randomSuffix()}/`;
    const keys = [`${prefix}a`, `${prefix}b`, `${prefix}c`];
    for (const key of keys) {
      const body = randomBytes(4);
      const put = presignPut(key, body);
      assert.equal((await putWith(put.url, put.headers, body)).status, 200);
    }
    const page1 = await storage.service.listObjects({ prefix, maxKeys: 2 });
    assert.equal(page1.objects.length, 2);
    assert.ok(page1.nextToken);
    const page2 = await storage.service.listObjects({ prefix, nextToken: page1.nextToken });
    assert.deepEqual(
      [...page1.objects, ...page2.objects].map((o) => o.key),
      keys,
    );
    assert.equal(page2.nextToken, undefined);

    const result = await storage.service.deleteObjects([...keys, `${prefix}never-existed`]);
    assert.equal(result.failed.length, 0);
    assert.equal(result.deleted.length, 4);
    assert.deepEqual((await storage.service.listObjects({ prefix })).objects, []);
    assert.deepEqual(await storage.service.deleteObjects([]), { deleted: [], failed: [] });
  });
});
