// An upload URL outlives the file it was issued for: after a rejection or a delete, a client can
// PUT through it again (If-None-Match passes on the now empty key). The record knows when its
// last URL expires, and the worker's purge-files job removes whatever was written once it has.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MongoClient, type Collection } from 'mongodb';
import { ConfigModule, loadConfig, type AppConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { StorageModule } from '@app/storage';
import { createWorkerApp } from '../../../apps/worker/src/bootstrap.js';
import { LifecycleJobsModule } from '../../../apps/worker/src/jobs/lifecycle-jobs.module.js';
import { PurgeFilesJob } from '../../../apps/worker/src/jobs/purge-files.job.js';
import { eventually } from '../../support/eventually.js';
import { startTestApp, testEnv, type TestApp } from '../../support/test-app.js';
import {
  complete,
  declared,
  deleteFile,
  expectStatus,
  putOk,
  requestParts,
  sha256Hex,
  testBytes,
  uploadSingle,
  type MultipartUpload,
  type PartUrl,
  type SingleUpload,
} from '../../support/upload-client.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  GENEROUS_LIMITS,
  held,
  objectExists,
  ownerWithSession,
  storageKey,
} from './files-fixtures.js';

const MIB = 1024 * 1024;

/** The worker's jobs without their runner, on the API's database and bucket. */
@Module({})
class JobsOnlyModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: JobsOnlyModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        StorageModule.forRoot(),
        LifecycleJobsModule,
      ],
    };
  }
}

interface StoredFileDoc {
  _id: string;
  status: string;
  uploadUrlExpiresAt: Date | null;
  objectPurgedAt: Date | null;
}

describe('files: the object purge once upload URLs have expired', () => {
  let t: TestApp;
  let mongo: MongoClient;
  let files: Collection<StoredFileDoc>;
  let worker: NestFastifyApplication | undefined;
  let jobs: INestApplicationContext;
  let dataDir = '';

  before(async () => {
    t = await startTestApp({
      env: { ...GENEROUS_LIMITS, MULTIPART_THRESHOLD_BYTES: String(8 * MIB) },
    });
    mongo = new MongoClient(t.config.mongo.uri);
    files = mongo.db().collection<StoredFileDoc>('files');
    dataDir = await mkdtemp(join(tmpdir(), 'sx-purge-'));
    jobs = await NestFactory.createApplicationContext(JobsOnlyModule.forRoot(t.config), {
      logger: false,
    });
  });
  after(async () => {
    await worker?.close();
    await jobs.close();
    await mongo.close();
    await t.close();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  const record = async (fileId: string): Promise<StoredFileDoc> => {
    const doc = await files.findOne({ _id: fileId });
    assert.ok(doc, fileId);
    return doc;
  };
  const purge = (): Promise<number> =>
    jobs.get(PurgeFilesJob).run({ now: new Date(), guard: held });
  // UPLOAD_URL_TTL_SECONDS is at least 60: the test moves the recorded expiry instead of waiting.
  const expireUrls = async (fileId: string): Promise<void> => {
    await files.updateOne(
      { _id: fileId },
      { $set: { uploadUrlExpiresAt: new Date(Date.now() - 1000) } },
    );
  };

  it('records when the single PUT URL expires, and the latest of the part URLs', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const single = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes: Buffer.from('small') },
      'single',
    );
    assert.deepEqual(
      (await record(single.file.id)).uploadUrlExpiresAt,
      new Date(single.upload.expiresAt),
    );

    const bytes = testBytes(8 * MIB + 100, 5);
    const multi = await declared<MultipartUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'multipart',
    );
    assert.equal((await record(multi.file.id)).uploadUrlExpiresAt, null, 'no URL issued yet');
    const { parts } = await expectStatus<{ parts: PartUrl[] }>(
      await requestParts(t.baseUrl, owner.token, multi.file.id, [
        { partNumber: 2, sha256: sha256Hex(bytes.subarray(8 * MIB)) },
      ]),
      200,
    );
    assert.deepEqual(
      (await record(multi.file.id)).uploadUrlExpiresAt,
      new Date(parts[0]?.expiresAt ?? ''),
    );
  });

  it('removes what a rejected file’s still valid URL wrote again, once the URL has expired', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const exe = Buffer.concat([Buffer.from('MZ'), testBytes(4094, 9)]);
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes: exe, name: 'cat.png', contentType: 'image/png' },
      'single',
    );
    const key = storageKey(session.id, file.id);
    await putOk(upload, exe);
    await expectProblem(await complete(t.baseUrl, owner.token, file.id), 422, 'INTEGRITY_MISMATCH');
    assert.equal(await objectExists(t.backends, key), false);

    // The same URL, still valid: storage takes the bytes again under the rejected record.
    await putOk(upload, exe);
    assert.equal(await objectExists(t.backends, key), true);
    // Not before the URL expires (purging earlier would only invite another PUT).
    assert.equal(await purge(), 0);
    assert.equal((await record(file.id)).objectPurgedAt, null);
    assert.equal(await objectExists(t.backends, key), true);

    await expireUrls(file.id);
    // The real worker: its runner schedules purge-files every second.
    worker = await createWorkerApp(
      loadConfig({
        ...testEnv(t.backends, dataDir),
        MONGODB_URI: t.config.mongo.uri,
        JOB_PURGE_FILES_INTERVAL_SECONDS: '1',
      }),
    );
    await eventually('the purge of the rejected file', 15_000, async () =>
      (await record(file.id)).objectPurgedAt === null ? undefined : true,
    );
    assert.equal(await objectExists(t.backends, key), false, 'the object written again is gone');
    const after = await record(file.id);
    assert.equal(after.status, 'rejected', 'kept, so its owner still sees why');
    // Idempotent: done once, never taken again.
    assert.equal(await purge(), 0);
  });

  it('removes what a deleted file’s still valid URL wrote again, once the URL has expired', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const bytes = Buffer.from('delete me, then write me again\n');
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'single',
    );
    await putOk(upload, bytes);
    await expectStatus(await complete(t.baseUrl, owner.token, file.id), 200);
    const key = storageKey(session.id, file.id);
    assert.equal((await deleteFile(t.baseUrl, owner.token, file.id)).status, 204);
    assert.equal(await objectExists(t.backends, key), false);
    await putOk(upload, bytes);
    assert.equal(await objectExists(t.backends, key), true);

    await expireUrls(file.id);
    // Run here rather than waiting for the worker's tick (which may come first: either settles it).
    await purge();
    assert.equal(await objectExists(t.backends, key), false);
    // A deleted file is listed nowhere: once its object is gone for good, so is its record.
    assert.equal(await files.findOne({ _id: file.id }), null);
  });

  it('leaves ready files alone', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const ready = await uploadSingle(t.baseUrl, owner.token, session.id, {
      bytes: Buffer.from('keep me'),
    });
    await expireUrls(ready.id);
    await purge();
    assert.equal(await objectExists(t.backends, storageKey(session.id, ready.id)), true);
    assert.equal((await record(ready.id)).objectPurgedAt, null);
  });
});
