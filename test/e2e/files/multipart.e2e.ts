// Multipart uploads across replicas: two real API processes (the compiled main.js) and the
// worker, sharing only MongoDB, storage and the signing key. An upload interrupted on one API
// resumes on the other from what storage lists; the worker reads it back and settles it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListPartsCommand, NoSuchUpload } from '@aws-sdk/client-s3';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { createWorkerApp } from '../../../apps/worker/src/bootstrap.js';
import { startApiProcess, type ApiProcess } from '../../support/api-process.js';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { sharedApiIdentity } from '../../support/replica-cluster.js';
import { testS3Client } from '../../support/s3-client.js';
import { dropDatabase, testEnv } from '../../support/test-app.js';
import {
  api,
  complete,
  declared,
  deleteFile,
  download,
  expectStatus,
  getFile,
  partBytes,
  putOk,
  requestParts,
  settled,
  sha256Hex,
  storedParts,
  testBytes,
  uploadParts,
  type FileBody,
  type MultipartUpload,
  type PartUrl,
  type StoredPart,
} from '../../support/upload-client.js';
import { expectProblem } from '../http/problem-assert.js';
import { activity } from '../pairing/pairing-client.js';
import { GENEROUS_LIMITS, objectExists, ownerWithSession, storageKey } from './files-fixtures.js';

const MIB = 1024 * 1024;
const THRESHOLD = 8 * MIB;

describe('files: multipart uploads across two API processes and the worker', () => {
  let backends: TestBackends;
  let a: ApiProcess;
  let b: ApiProcess;
  let worker: NestFastifyApplication;
  let mongoUri = '';
  let dataDir = '';

  before(async () => {
    backends = await startTestBackends();
    mongoUri = `${backends.mongoUri}/sx_files_${randomSuffix()}`;
    const env = {
      ...GENEROUS_LIMITS,
      MONGODB_URI: mongoUri,
      ...sharedApiIdentity(),
      MULTIPART_THRESHOLD_BYTES: String(THRESHOLD),
    };
    dataDir = await mkdtemp(join(tmpdir(), 'sx-multipart-'));
    const start = (name: string) =>
      startApiProcess({ ...testEnv(backends, join(dataDir, name)), ...env });
    [a, b] = await Promise.all([start('a'), start('b')]);
    worker = await createWorkerApp(
      loadConfig({ ...testEnv(backends, join(dataDir, 'w')), ...env }),
    );
    await worker.listen(0, '127.0.0.1');
  });
  after(async () => {
    await worker?.close();
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    assert.deepEqual(codes, [0, 0], `${a?.run.stderr() ?? ''}\n${b?.run.stderr() ?? ''}`);
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
    if (backends?.external.mongo) await dropDatabase(mongoUri);
    await backends?.stop();
  });

  it('resumes on B an upload interrupted on A, then verifies and serves it intact', async () => {
    const { owner, session } = await ownerWithSession(a.baseUrl);
    const bytes = testBytes(20 * MIB + 12_345, 42);
    const { file, upload } = await declared<MultipartUpload>(
      a.baseUrl,
      owner.token,
      session.id,
      { bytes, name: 'video.bin', contentType: 'application/octet-stream' },
      'multipart',
    );
    assert.equal(upload.partSize, 8 * MIB);
    assert.equal(upload.partCount, 3);
    assert.equal(upload.expiresAt, file.expiresAt);

    // Two parts through A, then the client goes away.
    await uploadParts(a.baseUrl, owner.token, file.id, bytes, upload.partSize, [1, 2]);
    // Completing now names what is missing and changes nothing.
    const early = await expectProblem(
      await complete(b.baseUrl, owner.token, file.id),
      409,
      'UPLOAD_INCOMPLETE',
    );
    assert.match(early.detail, /1 of 3 parts: 3/);

    // B knows only what MongoDB and storage hold.
    const held = await expectStatus<{ parts: StoredPart[] }>(
      await storedParts(b.baseUrl, owner.token, file.id),
      200,
    );
    assert.deepEqual(
      held.parts.map((p) => [p.partNumber, p.size]),
      [
        [1, 8 * MIB],
        [2, 8 * MIB],
      ],
    );
    const missing = [1, 2, 3].filter((n) => !held.parts.some((p) => p.partNumber === n));
    assert.deepEqual(missing, [3]);
    const { parts: urls } = await expectStatus<{ parts: PartUrl[] }>(
      await requestParts(b.baseUrl, owner.token, file.id, [
        { partNumber: 3, sha256: sha256Hex(partBytes(bytes, upload.partSize, 3)) },
      ]),
      200,
    );
    const last = urls[0];
    assert.ok(last !== undefined);
    assert.equal(last.headers['content-length'], String(4 * MIB + 12_345));
    await putOk(last, partBytes(bytes, upload.partSize, 3));
    const all = await expectStatus<{ parts: StoredPart[] }>(
      await storedParts(b.baseUrl, owner.token, file.id),
      200,
    );

    // A forged part list is refused and changes nothing; storage's own list completes it.
    const forged = all.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
    forged[1] = { partNumber: 2, etag: '"0123456789abcdef0123456789abcdef"' };
    await expectProblem(
      await complete(b.baseUrl, owner.token, file.id, { parts: forged }),
      400,
      'VALIDATION_FAILED',
    );
    await expectProblem(
      await complete(b.baseUrl, owner.token, file.id, { parts: forged.slice(0, 2) }),
      400,
      'VALIDATION_FAILED',
    );
    const verifying = await expectStatus<FileBody>(
      await complete(b.baseUrl, owner.token, file.id, {
        parts: all.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
      }),
      200,
    );
    assert.equal(verifying.status, 'verifying');

    const ready = await settled(a.baseUrl, owner.token, file.id);
    assert.equal(ready.status, 'ready');
    assert.ok(ready.readyAt !== null);
    // Complete again, anywhere: the same outcome.
    assert.equal(
      (await expectStatus<FileBody>(await complete(a.baseUrl, owner.token, file.id), 200)).status,
      'ready',
    );
    const { res } = await download(b.baseUrl, owner.token, file.id);
    const got = Buffer.from(await res.arrayBuffer());
    assert.equal(got.length, bytes.length);
    assert.equal(sha256Hex(got), sha256Hex(bytes));
    const types = (await activity(a.baseUrl, owner, session.id)).items.map((e) => e.type);
    assert.deepEqual(
      types.filter((type) => type.startsWith('file.')),
      ['file.declared', 'file.ready', 'file.downloaded'],
    );
  });

  it('rejects a multipart file whose whole-file SHA-256 is not the declared one', async () => {
    const { owner, session } = await ownerWithSession(a.baseUrl);
    const bytes = testBytes(9 * MIB, 5);
    // Every part hashes right (storage checks those); the whole file does not.
    const { file, upload } = await declared<MultipartUpload>(
      a.baseUrl,
      owner.token,
      session.id,
      { bytes, sha256: sha256Hex(testBytes(9 * MIB, 6)) },
      'multipart',
    );
    assert.equal(upload.partCount, 2);
    await uploadParts(a.baseUrl, owner.token, file.id, bytes, upload.partSize, [2, 1]);
    assert.equal(
      (await expectStatus<FileBody>(await complete(a.baseUrl, owner.token, file.id), 200)).status,
      'verifying',
    );
    const rejected = await settled(b.baseUrl, owner.token, file.id);
    assert.equal(rejected.status, 'rejected');
    assert.equal(await objectExists(backends, storageKey(session.id, file.id)), false);
    const problem = await expectProblem(
      await complete(b.baseUrl, owner.token, file.id),
      422,
      'INTEGRITY_MISMATCH',
    );
    assert.match(problem.detail, /checksum/);
    const quota = await expectStatus<{ files: { used: number }; bytes: { used: number } }>(
      await api(a.baseUrl, 'GET', '/v1/quota', owner.token),
      200,
    );
    assert.equal(quota.files.used, 0);
    assert.equal(quota.bytes.used, 0);
  });

  it('answers 20 parallel completes of one multipart file with one outcome', async () => {
    const { owner, session } = await ownerWithSession(a.baseUrl);
    const bytes = testBytes(8 * MIB + 1, 9);
    const { file, upload } = await declared<MultipartUpload>(
      a.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'multipart',
    );
    await uploadParts(a.baseUrl, owner.token, file.id, bytes, upload.partSize, [1, 2]);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        complete(i % 2 === 0 ? a.baseUrl : b.baseUrl, owner.token, file.id),
      ),
    );
    const statuses = await Promise.all(
      answers.map(async (res) => {
        const body = await res.text();
        assert.equal(res.status, 200, body);
        return (JSON.parse(body) as FileBody).status;
      }),
    );
    assert.ok(
      statuses.every((s) => s === 'verifying' || s === 'ready'),
      statuses.join(),
    );
    assert.equal((await settled(a.baseUrl, owner.token, file.id)).status, 'ready');
    const types = (await activity(a.baseUrl, owner, session.id)).items.map((e) => e.type);
    assert.equal(types.filter((type) => type === 'file.ready').length, 1);
  });

  it('refuses a part outside the plan and aborts the upload of a deleted pending file', async () => {
    const { owner, session } = await ownerWithSession(a.baseUrl);
    const bytes = testBytes(8 * MIB, 3);
    const { file, upload } = await declared<MultipartUpload>(
      a.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'multipart',
    );
    assert.equal(upload.partCount, 1);
    const sha = sha256Hex(bytes);
    for (const partNumber of [0, 2, 10_001, 1.5, -1]) {
      await expectProblem(
        await requestParts(a.baseUrl, owner.token, file.id, [{ partNumber, sha256: sha }]),
        400,
        'VALIDATION_FAILED',
      );
    }
    await expectProblem(
      await requestParts(a.baseUrl, owner.token, file.id, [
        { partNumber: 1, sha256: sha },
        { partNumber: 1, sha256: sha },
      ]),
      400,
      'VALIDATION_FAILED',
    );
    await uploadParts(a.baseUrl, owner.token, file.id, bytes, upload.partSize, [1]);
    assert.equal((await deleteFile(b.baseUrl, owner.token, file.id)).status, 204);
    await expectProblem(await getFile(a.baseUrl, owner.token, file.id), 404, 'NOT_FOUND');
    await expectProblem(await storedParts(a.baseUrl, owner.token, file.id), 404, 'NOT_FOUND');

    // Storage has forgotten the upload and its parts.
    const { endpoint, region, accessKeyId, secretAccessKey, bucket } = backends.s3;
    const s3 = testS3Client({ endpoint, region, credentials: { accessKeyId, secretAccessKey } });
    try {
      await assert.rejects(
        s3.send(
          new ListPartsCommand({
            Bucket: bucket,
            Key: storageKey(session.id, file.id),
            UploadId: await uploadIdOf(file.id),
          }),
        ),
        NoSuchUpload,
      );
    } finally {
      s3.destroy();
    }
  });

  // The upload id lives in MongoDB only (the API never shows it).
  async function uploadIdOf(fileId: string): Promise<string> {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
    try {
      const doc = await client
        .db()
        .collection<{ _id: string; upload: { uploadId: string } }>('files')
        .findOne({ _id: fileId });
      assert.ok(doc !== null);
      return doc.upload.uploadId;
    } finally {
      await client.close();
    }
  }
});
