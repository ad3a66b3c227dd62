// The worker's lifecycle jobs as a user and an operator see them: an API and one worker at a
// one-second tick, sharing a database and a bucket, driven through HTTP with real bytes in
// storage. What must leave storage is checked with the storage API itself (ListObjectsV2,
// ListMultipartUploads, HeadObject), not only in the records.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MongoClient, type Db } from 'mongodb';
import { JOB_NAMES, loadConfig } from '@app/config';
import { createWorkerApp } from '../../../apps/worker/src/bootstrap.js';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { indicatorStatus, probe } from '../../support/probe.js';
import { dropDatabase, startTestApp, testEnv, type TestApp } from '../../support/test-app.js';
import {
  api,
  complete,
  declared,
  download,
  expectStatus,
  getFile,
  listFiles,
  putOk,
  settled,
  sha256Hex,
  storedParts,
  testBytes,
  uploadParts,
  uploadSingle,
  type FileBody,
  type MultipartUpload,
  type SingleUpload,
  type StoredPart,
} from '../../support/upload-client.js';
import {
  GENEROUS_LIMITS,
  objectExists,
  ownerWithSession,
  storageKey,
} from '../files/files-fixtures.js';
import { expectProblem } from '../http/problem-assert.js';
import type { Owner } from '../pairing/pairing-client.js';
import { allActivity, getSession, type ActivityEvent } from '../sessions/sessions-client.js';
import {
  bucketClient,
  FAST_JOBS,
  listKeys,
  listUploads,
  plantObject,
  total,
} from './worker-fixtures.js';

const MIB = 1024 * 1024;
const ORPHAN_GRACE_SECONDS = 2;
/**
 * The short API's upload window: what the scenario does inside it (two declares, two small PUTs,
 * a look at the quota and at storage) must fit on a loaded 2-core machine, where the other
 * scenarios and spec files run at the same time; the waits overlap theirs.
 */
const UPLOAD_WINDOW_SECONDS = 10;
/** A job at a one-second tick, a two-second lease and a loaded machine: generous, still bounded. */
const JOB_DEADLINE_MS = 20_000;

interface Quota {
  files: { used: number };
  bytes: { used: number };
}

interface FilePage {
  items: FileBody[];
  nextCursor: string | null;
}

const newId = (): string => randomBytes(16).toString('base64url');
const prefixOf = (sessionId: string): string => `sessions/${sessionId}/`;
const ofType = (events: ActivityEvent[], type: string): ActivityEvent[] =>
  events.filter((e) => e.type === type);

describe('worker: lifecycle jobs at a one-second tick', () => {
  let backends: TestBackends;
  let mongoUri = '';
  let dataDir = '';
  /** The default upload window (a day): uploads that must not be swept. */
  let app: TestApp;
  /** A short UPLOAD_WINDOW_SECONDS: uploads left unfinished are abandoned within seconds. */
  let shortApp: TestApp;
  let worker: NestFastifyApplication | undefined;
  let workerUrl = '';
  let mongo: MongoClient;
  let db: Db;
  let s3: S3Client;
  let bucket = '';

  before(async () => {
    backends = await startTestBackends();
    bucket = backends.s3.bucket;
    mongoUri = `${backends.mongoUri}/sx_lifecycle_${randomSuffix()}`;
    // Both APIs sign with one key, as replicas do.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const env = {
      ...GENEROUS_LIMITS,
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ...FAST_JOBS,
      MONGODB_URI: mongoUri,
      MULTIPART_THRESHOLD_BYTES: String(8 * MIB),
      SESSION_MIN_TTL_SECONDS: '1',
      ORPHAN_GRACE_SECONDS: String(ORPHAN_GRACE_SECONDS),
    };
    app = await startTestApp({ backends, env });
    shortApp = await startTestApp({
      backends,
      env: { ...env, UPLOAD_WINDOW_SECONDS: String(UPLOAD_WINDOW_SECONDS) },
    });
    dataDir = await mkdtemp(join(tmpdir(), 'sx-lifecycle-'));
    worker = await createWorkerApp(loadConfig({ ...testEnv(backends, dataDir), ...env }));
    await worker.listen(0, '127.0.0.1');
    const address = worker.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    workerUrl = `http://127.0.0.1:${String(address.port)}`;
    mongo = new MongoClient(mongoUri);
    db = mongo.db();
    s3 = bucketClient(backends);
  });
  after(async () => {
    await worker?.close();
    await shortApp?.close();
    await app?.close();
    s3?.destroy();
    await mongo?.close();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
    if (backends?.external.mongo) await dropDatabase(mongoUri);
    await backends?.stop();
  });

  const quota = async (baseUrl: string, owner: Owner): Promise<Quota> =>
    expectStatus<Quota>(await api(baseUrl, 'GET', '/v1/quota', owner.token), 200);
  const recordsOf = (sessionId: string): Promise<number> =>
    db.collection('files').countDocuments({ sessionId });
  const untilPurged = (baseUrl: string, owner: Owner, sessionId: string) =>
    eventually(`session ${sessionId} purged`, JOB_DEADLINE_MS, async () => {
      const events = await allActivity(baseUrl, owner.token, sessionId);
      return ofType(events, 'session.purged').length > 0 ? events : undefined;
    });

  /** Storage holds nothing of the session, and the API and the records agree. */
  async function assertPurged(baseUrl: string, owner: Owner, sessionId: string, fileIds: string[]) {
    assert.deepEqual(await listKeys(s3, bucket, prefixOf(sessionId)), []);
    assert.deepEqual(await listUploads(s3, bucket, prefixOf(sessionId)), []);
    for (const id of fileIds) {
      assert.equal(await objectExists(backends, storageKey(sessionId, id)), false, id);
      await expectProblem(await getFile(baseUrl, owner.token, id), 404, 'NOT_FOUND');
    }
    const page = await expectStatus<FilePage>(
      await listFiles(baseUrl, owner.token, sessionId),
      200,
    );
    assert.deepEqual(page, { items: [], nextCursor: null });
    assert.equal(await recordsOf(sessionId), 0);
  }

  // Independent scenarios (an owner and a session each) against one worker, at once: the waits
  // for the jobs overlap instead of adding up.
  describe('what users see', { concurrency: true }, () => {
    it('purges a closed session: its objects leave storage, then its records, with session.purged', async () => {
      const { owner, session } = await ownerWithSession(app.baseUrl);
      const first = await uploadSingle(app.baseUrl, owner.token, session.id, {
        name: 'first.txt',
        bytes: Buffer.from('the first file of a closed session\n'),
      });
      const second = await uploadSingle(app.baseUrl, owner.token, session.id, {
        name: 'second.txt',
        bytes: Buffer.from('the second one\n'),
      });
      // An upload in progress whose bytes already sit in storage goes with the session too.
      const partial = Buffer.from('never completed\n');
      const pending = await declared<SingleUpload>(
        app.baseUrl,
        owner.token,
        session.id,
        { bytes: partial },
        'single',
      );
      await putOk(pending.upload, partial);
      const ids = [first.id, second.id, pending.file.id];
      assert.deepEqual(
        (await listKeys(s3, bucket, prefixOf(session.id))).sort(),
        ids.map((id) => storageKey(session.id, id)).sort(),
      );

      const closed = await api(app.baseUrl, 'DELETE', `/v1/sessions/${session.id}`, owner.token);
      assert.equal(closed.status, 204);
      const events = await untilPurged(app.baseUrl, owner, session.id);

      await assertPurged(app.baseUrl, owner, session.id, ids);
      const purged = ofType(events, 'session.purged');
      assert.equal(purged.length, 1);
      assert.deepEqual(purged[0]?.data, { files: 3 });
      const closedSeq = ofType(events, 'session.closed')[0]?.seq ?? Infinity;
      assert.ok((purged[0]?.seq ?? 0) > closedSeq, 'purged after it was closed');
      // The session itself stays readable (until SESSION_RETENTION_SECONDS), closed.
      assert.equal((await getSession(app.baseUrl, owner.token, session.id)).status, 'closed');
    });

    it('expires a session past expiresAt and purges it likewise: session.expired, session.purged', async () => {
      const { owner, session: created } = await ownerWithSession(app.baseUrl);
      const file = await uploadSingle(app.baseUrl, owner.token, created.id, {
        bytes: Buffer.from('gone when the session ends\n'),
      });
      assert.equal(await objectExists(backends, storageKey(created.id, file.id)), true);
      // Re-timed to end a second from now (expiresAt = now + ttlSeconds), so the upload before
      // it may take whatever a loaded machine needs.
      const session = await expectStatus<{ id: string; expiresAt: string }>(
        await api(app.baseUrl, 'PATCH', `/v1/sessions/${created.id}`, owner.token, {
          ttlSeconds: 1,
        }),
        200,
      );

      const events = await untilPurged(app.baseUrl, owner, session.id);
      await assertPurged(app.baseUrl, owner, session.id, [file.id]);
      const expired = ofType(events, 'session.expired');
      assert.equal(expired.length, 1);
      assert.deepEqual(expired[0]?.data, { expiresAt: session.expiresAt });
      assert.ok(Date.parse(expired[0]?.at ?? '') >= Date.parse(session.expiresAt), 'not early');
      const purged = ofType(events, 'session.purged');
      assert.equal(purged.length, 1);
      assert.deepEqual(purged[0]?.data, { files: 1 });
      assert.ok((purged[0]?.seq ?? 0) > (expired[0]?.seq ?? Infinity), 'purged after it expired');
      assert.equal((await getSession(app.baseUrl, owner.token, session.id)).status, 'expired');
    });

    it('sweeps an abandoned single and multipart upload: storage cleaned, quota back, rejected as abandoned', async () => {
      const base = shortApp.baseUrl;
      const { owner, session } = await ownerWithSession(base);
      const before = await quota(base, owner);
      // A single PUT that reached storage, and a multipart upload with one of its two parts: neither
      // client ever calls complete.
      const partial = Buffer.from('the client went away after this PUT\n');
      const bytes = testBytes(8 * MIB + 100, 21);
      const [single, multi] = await Promise.all([
        declared<SingleUpload>(base, owner.token, session.id, { bytes: partial }, 'single'),
        declared<MultipartUpload>(
          base,
          owner.token,
          session.id,
          { bytes, name: 'video.bin', contentType: 'application/octet-stream' },
          'multipart',
        ),
      ]);
      // The multipart file's last part: small, so that its PUT is quick.
      await Promise.all([
        putOk(single.upload, partial),
        uploadParts(base, owner.token, multi.file.id, bytes, multi.upload.partSize, [2]),
      ]);
      const during = await quota(base, owner);
      assert.equal(during.files.used, before.files.used + 2);
      assert.equal(during.bytes.used, before.bytes.used + partial.length + bytes.length);
      const singleKey = storageKey(session.id, single.file.id);
      assert.equal(await objectExists(backends, singleKey), true);
      assert.deepEqual(await listUploads(s3, bucket, prefixOf(session.id)), [
        storageKey(session.id, multi.file.id),
      ]);

      const ids = [single.file.id, multi.file.id];
      // Swept: rejected, and its file.rejected recorded, which the sweep does last (after the
      // object's deletion and the give-backs), so the checks below do not race them.
      await eventually('both uploads swept', JOB_DEADLINE_MS, async () => {
        const files = await Promise.all(
          ids.map(async (id) => expectStatus<FileBody>(await getFile(base, owner.token, id), 200)),
        );
        if (!files.every((f) => f.status === 'rejected')) return undefined;
        const feed = ofType(await allActivity(base, owner.token, session.id), 'file.rejected');
        return feed.length === ids.length ? files : undefined;
      });
      assert.deepEqual(await listKeys(s3, bucket, prefixOf(session.id)), [], 'no partial object');
      assert.deepEqual(await listUploads(s3, bucket, prefixOf(session.id)), [], 'upload aborted');
      const after = await quota(base, owner);
      assert.equal(after.files.used, before.files.used);
      assert.equal(after.bytes.used, before.bytes.used);
      // The API shows `rejected`; why is in the record and in the activity feed.
      const stored = await db
        .collection<{ _id: string; rejectedReason: string | null }>('files')
        .find({ _id: { $in: ids } })
        .toArray();
      assert.equal(stored.length, 2);
      for (const file of stored) assert.match(file.rejectedReason ?? '', /^abandoned\b/);
      const rejected = ofType(await allActivity(base, owner.token, session.id), 'file.rejected');
      assert.equal(rejected.length, 2, 'one file.rejected each');
      assert.deepEqual(
        new Map(rejected.map((e) => [e.data.fileId, e.data.reason])),
        new Map(ids.map((id) => [id, 'abandoned'])),
      );
    });

    it('settles a completed multipart upload by itself: ready when its bytes match, rejected when not', async () => {
      const base = app.baseUrl;
      const { owner, session } = await ownerWithSession(base);
      const good = testBytes(8 * MIB + 100, 31);
      const bad = testBytes(8 * MIB + 100, 32);
      const ok = await declared<MultipartUpload>(
        base,
        owner.token,
        session.id,
        { bytes: good },
        'multipart',
      );
      // Every part of `bad` hashes right (storage checks those); the whole file is not what was declared.
      const wrong = await declared<MultipartUpload>(
        base,
        owner.token,
        session.id,
        { bytes: bad, sha256: sha256Hex(good) },
        'multipart',
      );
      await Promise.all([
        uploadParts(base, owner.token, ok.file.id, good, ok.upload.partSize, [1, 2]),
        uploadParts(base, owner.token, wrong.file.id, bad, wrong.upload.partSize, [1, 2]),
      ]);
      for (const id of [ok.file.id, wrong.file.id]) {
        const completed = await expectStatus<FileBody>(await complete(base, owner.token, id), 200);
        assert.equal(completed.status, 'verifying');
      }

      const [ready, rejected] = await Promise.all([
        settled(base, owner.token, ok.file.id, JOB_DEADLINE_MS),
        settled(base, owner.token, wrong.file.id, JOB_DEADLINE_MS),
      ]);
      assert.equal(ready.status, 'ready');
      const { res } = await download(base, owner.token, ok.file.id);
      assert.equal(sha256Hex(Buffer.from(await res.arrayBuffer())), sha256Hex(good));
      assert.equal(rejected.status, 'rejected');
      assert.equal(await objectExists(backends, storageKey(session.id, wrong.file.id)), false);
      const events = await allActivity(base, owner.token, session.id);
      assert.deepEqual(
        ofType(events, 'file.rejected').map((e) => e.data),
        [{ fileId: wrong.file.id, reason: 'checksum' }],
      );
      // Only the ready file still counts against the day.
      const used = await quota(base, owner);
      assert.equal(used.files.used, 1);
      assert.equal(used.bytes.used, good.length);
    });

    it('removes orphans after the grace period, and leaves the live file and upload next to them', async () => {
      const base = app.baseUrl;
      const { owner, session } = await ownerWithSession(base);
      const liveBytes = Buffer.from('a live file next to an orphan\n');
      const live = await uploadSingle(base, owner.token, session.id, { bytes: liveBytes });
      // A multipart upload in progress: its record knows it, so it is no orphan however old.
      const partBytes = testBytes(8 * MIB + 10, 41);
      const inProgress = await declared<MultipartUpload>(
        base,
        owner.token,
        session.id,
        { bytes: partBytes },
        'multipart',
      );
      await uploadParts(
        base,
        owner.token,
        inProgress.file.id,
        partBytes,
        inProgress.upload.partSize,
        [1],
      );

      // Written straight into the bucket, behind the product's back: one in a live session, one
      // under a session that never existed, and a multipart upload no record knows.
      const orphans = [storageKey(session.id, newId()), storageKey(newId(), newId())];
      const plantedAt = Date.now();
      for (const key of orphans)
        await plantObject(s3, bucket, key, Buffer.from('nobody knows me\n'));
      const strayKey = storageKey(session.id, newId());
      await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: strayKey }));

      const goneAfterMs = await eventually('the orphans removed', JOB_DEADLINE_MS, async () => {
        for (const key of orphans) if (await objectExists(backends, key)) return undefined;
        const uploads = await listUploads(s3, bucket, prefixOf(session.id));
        return uploads.includes(strayKey) ? undefined : Date.now() - plantedAt;
      });
      // Not before the grace period (storage may round LastModified down to the second).
      assert.ok(
        goneAfterMs >= (ORPHAN_GRACE_SECONDS - 1) * 1000,
        `removed ${String(goneAfterMs)} ms after planting`,
      );

      assert.deepEqual(await listKeys(s3, bucket, prefixOf(session.id)), [
        storageKey(session.id, live.id),
      ]);
      assert.equal(
        (await expectStatus<FileBody>(await getFile(base, owner.token, live.id), 200)).status,
        'ready',
      );
      const { res } = await download(base, owner.token, live.id);
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), liveBytes);
      assert.deepEqual(await listUploads(s3, bucket, prefixOf(session.id)), [
        storageKey(session.id, inProgress.file.id),
      ]);
      const held = await expectStatus<{ parts: StoredPart[] }>(
        await storedParts(base, owner.token, inProgress.file.id),
        200,
      );
      assert.deepEqual(
        held.parts.map((p) => p.partNumber),
        [1],
      );
    });
  });

  // After the scenarios: none of them made a job fail.
  it('shows operators every job running and none failing (metrics, /health/ready)', async () => {
    const text = await eventually('a completed run of every job', JOB_DEADLINE_MS, async () => {
      const metrics = String((await probe(`${workerUrl}/metrics`)).body);
      const done = JOB_NAMES.every(
        (job) => total(metrics, 'sharexpress_job_runs_total', { job, outcome: 'completed' }) > 0,
      );
      return done ? metrics : undefined;
    });
    for (const job of JOB_NAMES) {
      assert.equal(total(text, 'sharexpress_job_errors_total', { job }), 0, job);
      assert.equal(total(text, 'sharexpress_job_runs_total', { job, outcome: 'failed' }), 0, job);
    }
    const ready = await probe(`${workerUrl}/health/ready`);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(indicatorStatus(ready.body, 'jobs'), 'up');
  });
});
