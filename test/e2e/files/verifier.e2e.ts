// The worker's verifier is safe to kill at any point: a verification whose worker died (its lease
// still held) is taken again once the lease expires, and a verdict repeated on a settled file
// changes nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { FileRepository } from '@app/database';
import { FileVerifier } from '@app/files';
import { createWorkerApp } from '../../../apps/worker/src/bootstrap.js';
import { VerifyUploadsJob } from '../../../apps/worker/src/jobs/verify-uploads.job.js';
import { startTestApp, testEnv, type TestApp } from '../../support/test-app.js';
import {
  complete,
  declared,
  expectStatus,
  getFile,
  settled,
  testBytes,
  uploadParts,
  type FileBody,
  type MultipartUpload,
} from '../../support/upload-client.js';
import { activity } from '../pairing/pairing-client.js';
import { GENEROUS_LIMITS, held, ownerWithSession } from './files-fixtures.js';

const MIB = 1024 * 1024;

describe('files: the verifier after a crash', () => {
  let t: TestApp;
  let worker: NestFastifyApplication | undefined;
  let dataDir = '';

  before(async () => {
    t = await startTestApp({
      env: { ...GENEROUS_LIMITS, MULTIPART_THRESHOLD_BYTES: String(8 * MIB) },
    });
    dataDir = await mkdtemp(join(tmpdir(), 'sx-verifier-'));
  });
  after(async () => {
    await worker?.close();
    await t.close();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  it('takes over a verification whose lease a dead worker still holds, once it expires', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const bytes = testBytes(8 * MIB + 100, 11);
    const { file, upload } = await declared<MultipartUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'multipart',
    );
    await uploadParts(t.baseUrl, owner.token, file.id, bytes, upload.partSize, [1, 2]);
    const verifying = await expectStatus<FileBody>(
      await complete(t.baseUrl, owner.token, file.id),
      200,
    );
    assert.equal(verifying.status, 'verifying');

    // A worker took the file and died: its lease runs for 3 more seconds.
    const leased = await t.app.get(FileRepository).leaseVerification(new Date(), 3000);
    assert.equal(leased?.id, file.id);
    const leasedAt = Date.now();

    // The real worker: its runner schedules verify-uploads every second.
    worker = await createWorkerApp(
      loadConfig({
        ...testEnv(t.backends, dataDir),
        MONGODB_URI: t.config.mongo.uri,
        JOB_VERIFY_UPLOADS_INTERVAL_SECONDS: '1',
      }),
    );
    const ready = await settled(t.baseUrl, owner.token, file.id, 30_000);
    assert.equal(ready.status, 'ready');
    assert.ok(Date.now() - leasedAt >= 2900, 'not before the dead worker’s lease expired');

    // A verdict repeated on the settled file (a verifier that was slow, not dead) changes nothing.
    assert.ok(leased !== null);
    const again = await worker.get(FileVerifier).verify(leased);
    assert.equal(again.status, 'ready');
    assert.deepEqual(
      await expectStatus<FileBody>(await getFile(t.baseUrl, owner.token, file.id), 200),
      ready,
    );
    const types = (await activity(t.baseUrl, owner, session.id)).items.map((e) => e.type);
    assert.equal(types.filter((type) => type === 'file.ready').length, 1);
    // Nothing else is waiting: a run of the job settles nothing.
    assert.equal(await worker.get(VerifyUploadsJob).run({ now: new Date(), guard: held }), 0);
  });
});
