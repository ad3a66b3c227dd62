// The proof that the API is stateless and the worker safe to replicate (issue 15): one devstack,
// two API processes (A, B) on their own ports and two worker processes, each the compiled
// main.js, sharing only MongoDB, the bucket, the signing key and PUBLIC_URL. Whatever one
// replica starts, the other finishes; limits hold across both to the exact count; a purge runs
// once; and a replica told to stop finishes what it took on while the other keeps serving.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { startReplicaCluster, type ReplicaCluster } from '../../support/replica-cluster.js';
import { dropDatabase } from '../../support/test-app.js';
import {
  complete,
  declare,
  declareBody,
  declared,
  download,
  expectStatus,
  getFile,
  grantDownload,
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
import { PASSWORD, type TokenPair } from '../auth/auth-client.js';
import { storageKey } from '../files/files-fixtures.js';
import { expectProblem } from '../http/problem-assert.js';
import type { ActiveClaim, Pairing, PendingClaim } from '../pairing/pairing-client.js';
import { allActivity } from '../sessions/sessions-client.js';
import {
  bucketClient,
  deletesSince,
  listKeys,
  listUploads,
  onlyJobsFast,
} from '../worker/worker-fixtures.js';
import { keepCalling, untilDraining } from './in-flight.js';
import { client, json, newAccount, newSession, quotaOf, tally } from './replica-client.js';

const MIB = 1024 * 1024;
const AUTH_MAX = 4;
const QUOTA_FILES = 12;
const QUOTA_BYTES = 17 * MIB;
const IN_FLIGHT = 50;

// Only what the scenarios need runs each second (verify, purge); the other jobs wait an hour
// after their first run at start, so that every delete a worker sends is the purge's.
const JOB_ENV = onlyJobsFast('purge-files', 'verify-uploads');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('multi-replica: two APIs and two workers on one devstack', () => {
  let backends: TestBackends;
  let cluster: ReplicaCluster;
  let s3: S3Client;
  let dbName = '';
  let dataDir = '';
  let A = '';
  let B = '';

  before(async () => {
    backends = await startTestBackends();
    dbName = `sx_multi_${randomSuffix()}`;
    dataDir = await mkdtemp(join(tmpdir(), 'sx-multi-'));
    cluster = await startReplicaCluster({
      backends,
      dbName,
      dataDir,
      env: {
        RATE_LIMIT_MAX: '100000',
        RATE_LIMIT_AUTH_MAX: String(AUTH_MAX),
        PAIRING_POLL_INTERVAL_SECONDS: '1',
        // The test is the reverse proxy: each client names its address in X-Forwarded-For.
        TRUST_PROXY: '127.0.0.1',
        MULTIPART_THRESHOLD_BYTES: String(8 * MIB),
        QUOTA_DAILY_FILES: String(QUOTA_FILES),
        QUOTA_DAILY_BYTES: String(QUOTA_BYTES),
      },
      workerEnv: JOB_ENV,
    });
    A = cluster.a.baseUrl;
    B = cluster.b.baseUrl;
    s3 = bucketClient(backends);
  });
  after(async () => {
    const codes = await cluster?.stop();
    s3?.destroy();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
    if (backends?.external.mongo && cluster !== undefined) await dropDatabase(cluster.mongoUri);
    await backends?.stop();
    const output = cluster?.apis.map((r) => r.api.run.stderr()).join('\n');
    assert.deepEqual(codes, { apis: [0, 0], workers: [0, 0] }, output);
  });

  it('takes on B the access token A issued, and refreshes it on B', async () => {
    const c = client();
    const account = await newAccount(c, A, A);
    const me = await json<{ email: string }>(
      await c.call(B, 'GET', '/v1/auth/me', { token: account.token }),
      200,
    );
    assert.equal(me.email, account.email);
    const old = account.tokens.refreshToken;
    const renewed = await json<TokenPair>(
      await c.call(B, 'POST', '/v1/auth/refresh', { body: { refreshToken: old } }),
      200,
    );
    assert.notEqual(renewed.refreshToken, old);
    const again = await c.call(A, 'GET', '/v1/auth/me', { token: renewed.accessToken });
    assert.equal((await json<{ email: string }>(again, 200)).email, account.email);
    // B spent the old refresh token for A too: reused there, it revokes the family everywhere.
    await expectProblem(
      await c.call(A, 'POST', '/v1/auth/refresh', { body: { refreshToken: old } }),
      401,
      'UNAUTHENTICATED',
    );
    await expectProblem(
      await c.call(B, 'POST', '/v1/auth/refresh', { body: { refreshToken: renewed.refreshToken } }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('claims on B a pairing created on A, approved on A, its device served by both', async () => {
    const owner = client();
    const phone = client();
    const account = await newAccount(owner, A);
    const session = await newSession(owner, A, account.token, { requireApproval: true });
    const pairing = await json<Pairing>(
      await owner.call(A, 'POST', `/v1/sessions/${session.id}/pairings`, {
        token: account.token,
        body: {},
      }),
      201,
    );
    const claimBody = { code: pairing.code, deviceName: 'Phone' };
    const pending = await json<PendingClaim>(
      await phone.call(B, 'POST', '/v1/pairings/claim', { body: claimBody }),
      202,
    );
    const approved = await owner.call(
      A,
      'POST',
      `/v1/sessions/${session.id}/devices/${pending.device.id}/approve`,
      { token: account.token },
    );
    assert.equal((await json<{ status: string }>(approved, 200)).status, 'active');
    await sleep(pending.interval * 1000 + 200);
    const active = await json<ActiveClaim>(
      await phone.call(B, 'POST', '/v1/pairings/poll', {
        body: { pollSecret: pending.pollSecret },
      }),
      200,
    );
    // The device token B issued uploads through A; the owner downloads through B.
    const bytes = Buffer.from('sent from the phone through A\n');
    const file = await uploadSingle(A, active.accessToken, session.id, { bytes });
    const { res } = await download(B, account.token, file.id);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
    const devices = await json<{ items: { id: string; status: string }[] }>(
      await owner.call(B, 'GET', `/v1/sessions/${session.id}/devices`, { token: account.token }),
      200,
    );
    assert.deepEqual(
      devices.items.map((d) => [d.id, d.status]),
      [[pending.device.id, 'active']],
    );
    // A pairing pairs one device, whichever replica is asked next.
    await expectProblem(
      await phone.call(A, 'POST', '/v1/pairings/claim', { body: claimBody }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('resumes and completes on B a multipart upload begun on A; a worker verifies it', async () => {
    const c = client();
    const { token } = await newAccount(c, A);
    const session = await newSession(c, A, token);
    const bytes = testBytes(16 * MIB + 1024, 15);
    const { file, upload } = await declared<MultipartUpload>(
      A,
      token,
      session.id,
      { bytes, name: 'video.bin', contentType: 'application/octet-stream' },
      'multipart',
    );
    assert.deepEqual([upload.partSize, upload.partCount], [8 * MIB, 3]);
    await uploadParts(A, token, file.id, bytes, upload.partSize, [1]);

    // The client comes back on B, which knows only what MongoDB and storage hold.
    const held = await expectStatus<{ parts: StoredPart[] }>(
      await storedParts(B, token, file.id),
      200,
    );
    assert.deepEqual(
      held.parts.map((p) => [p.partNumber, p.size]),
      [[1, 8 * MIB]],
    );
    const missing = [1, 2, 3].filter((n) => !held.parts.some((p) => p.partNumber === n));
    assert.deepEqual(missing, [2, 3]);
    await uploadParts(B, token, file.id, bytes, upload.partSize, missing);
    const all = await expectStatus<{ parts: StoredPart[] }>(
      await storedParts(B, token, file.id),
      200,
    );
    const parts = all.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
    const verifying = await expectStatus<FileBody>(
      await complete(B, token, file.id, { parts }),
      200,
    );
    assert.equal(verifying.status, 'verifying');

    const ready = await settled(A, token, file.id);
    assert.equal(ready.status, 'ready');
    // One worker read the object back; the other never touched it.
    const key = storageKey(session.id, file.id);
    const reads = cluster.workers.map(
      (w) => w.s3.requests.filter((r) => r.operation === 'GetObject' && r.keys?.[0] === key).length,
    );
    assert.equal(reads.filter((n) => n > 0).length, 1, `GetObject per worker: ${reads.join(',')}`);
    for (const base of [A, B]) {
      const { res } = await download(base, token, file.id);
      const got = Buffer.from(await res.arrayBuffer());
      assert.equal(got.length, bytes.length);
      assert.equal(sha256Hex(got), sha256Hex(bytes));
    }
  });

  it('allows exactly RATE_LIMIT_AUTH_MAX logins of one client spread over A and B', async () => {
    const { email } = await newAccount(client(), A);
    const attacker = client();
    const login = (base: string) =>
      attacker.call(base, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(i % 2 ? B : A)));
    const limited = answers.filter((r) => r.status === 429);
    for (const res of limited) assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    assert.deepEqual(await tally(answers), { 200: AUTH_MAX, 429: 20 - AUTH_MAX });
    for (const base of [A, B]) await expectProblem(await login(base), 429, 'RATE_LIMITED');
    // The budget is the client's: another address logs in at once, on either replica.
    const other = client();
    await json(
      await other.call(B, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } }),
      200,
    );
  });

  it('stops declares across A and B exactly at the daily file quota', async () => {
    const c = client();
    const { token } = await newAccount(c, A);
    const session = await newSession(c, B, token);
    const answers = await Promise.all(
      Array.from({ length: QUOTA_FILES + 4 }, (_, i) =>
        declare(
          i % 2 ? B : A,
          token,
          session.id,
          declareBody({
            bytes: Buffer.from(`file ${String(i).padStart(2, '0')}`),
            name: `f${String(i)}.txt`,
          }),
        ),
      ),
    );
    const refused = answers.filter((r) => r.status === 429);
    for (const res of refused) await expectProblem(res.clone(), 429, 'QUOTA_EXCEEDED');
    assert.deepEqual(await tally(answers), { 201: QUOTA_FILES, 429: 4 });
    for (const base of [A, B]) {
      const quota = await quotaOf(c, base, token);
      assert.deepEqual(quota.files, { used: QUOTA_FILES, limit: QUOTA_FILES });
      assert.deepEqual(quota.bytes, { used: QUOTA_FILES * 7, limit: QUOTA_BYTES });
    }
  });

  it('stops declares across A and B exactly at the daily byte quota, to the byte', async () => {
    const c = client();
    const { token } = await newAccount(c, A);
    const session = await newSession(c, A, token);
    const big = { bytes: Buffer.alloc(0), size: 4 * MIB, sha256: sha256Hex(testBytes(4 * MIB)) };
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        declare(i % 2 ? A : B, token, session.id, declareBody(big)),
      ),
    );
    // 4 × 4 MiB fit in 17 MiB, a fifth does not.
    assert.deepEqual(await tally(answers), { 201: 4, 429: 4 });
    const fill = { bytes: Buffer.alloc(0), size: MIB, sha256: sha256Hex(Buffer.from('x')) };
    assert.equal((await declare(B, token, session.id, declareBody(fill))).status, 201);
    for (const base of [A, B]) {
      const quota = await quotaOf(c, base, token);
      assert.deepEqual(quota.bytes, { used: QUOTA_BYTES, limit: QUOTA_BYTES });
      assert.deepEqual(quota.files, { used: 5, limit: QUOTA_FILES });
    }
    const oneByte = { bytes: Buffer.from('x') };
    await expectProblem(
      await declare(A, token, session.id, declareBody(oneByte)),
      429,
      'QUOTA_EXCEEDED',
    );
  });

  it('purges a session closed on B exactly once across both workers', async () => {
    const c = client();
    const { token } = await newAccount(c, A);
    const session = await newSession(c, A, token);
    const files: FileBody[] = [];
    for (let i = 0; i < 4; i++) {
      const bytes = Buffer.from(`ready file ${String(i)} of the closed session\n`);
      files.push(await uploadSingle(i % 2 ? B : A, token, session.id, { bytes }));
    }
    // And an upload begun and left: the purge must abort it too.
    const partial = testBytes(9 * MIB, 3);
    const left = await declared<MultipartUpload>(
      A,
      token,
      session.id,
      { bytes: partial },
      'multipart',
    );
    await uploadParts(B, token, left.file.id, partial, left.upload.partSize, [1]);
    const prefix = `sessions/${session.id}/`;
    const others = (await listKeys(s3, backends.s3.bucket, 'sessions/')).filter(
      (k) => !k.startsWith(prefix),
    );
    assert.equal((await listUploads(s3, backends.s3.bucket, prefix)).length, 1);

    const closedAt = Date.now();
    assert.equal((await c.call(B, 'DELETE', `/v1/sessions/${session.id}`, { token })).status, 204);
    await eventually('session.purged', 30_000, async () =>
      (await allActivity(A, token, session.id)).some((e) => e.type === 'session.purged')
        ? true
        : undefined,
    );
    const purged = (await allActivity(B, token, session.id)).filter(
      (e) => e.type === 'session.purged',
    );
    assert.deepEqual(
      purged.map((e) => e.data),
      [{ files: 5 }],
    );

    // From the storage side: every key deleted once, by one worker or the other, nothing else.
    const taps = cluster.workers.map((w) => w.s3);
    const deleted = deletesSince(taps, closedAt);
    const aborts = taps
      .flatMap((tap) => tap.requests)
      .filter((r) => r.at >= closedAt && r.operation === 'AbortMultipartUpload').length;
    for (const file of files) assert.equal(deleted.get(storageKey(session.id, file.id)), 1);
    assert.deepEqual(
      [...deleted].filter(([key, n]) => n !== 1 || !key.startsWith(prefix)),
      [],
      'deleted twice, or outside the session',
    );
    assert.equal(aborts, 1, 'the upload left behind aborted once');
    assert.deepEqual(await listKeys(s3, backends.s3.bucket, prefix), []);
    assert.deepEqual(await listUploads(s3, backends.s3.bucket, prefix), []);
    const stillThere = await listKeys(s3, backends.s3.bucket, 'sessions/');
    assert.deepEqual(stillThere.sort(), others.sort(), 'other sessions untouched');
    const first = files[0];
    assert.ok(first !== undefined);
    // Purged: the record is gone with the object.
    await expectProblem(await grantDownload(A, token, first.id), 404, 'NOT_FOUND');
  });

  it(`lets ${String(IN_FLIGHT)} requests in flight on A finish after SIGTERM while B serves`, async () => {
    const c = client();
    const { token } = await newAccount(c, B);
    const session = await newSession(c, B, token);
    // 40 reads of a multipart upload's parts (ListParts each) and 10 completes of uploaded
    // files (HeadObject first, then the database writes that make them ready).
    const resumable = await declared<MultipartUpload>(
      B,
      token,
      session.id,
      { bytes: testBytes(9 * MIB, 9) },
      'multipart',
    );
    const uploaded: { file: FileBody; bytes: Buffer }[] = [];
    for (let i = 0; i < 10; i++) {
      const bytes = Buffer.from(`uploaded before the shutdown ${String(i)}\n`);
      const { file, upload } = await declared<SingleUpload>(
        B,
        token,
        session.id,
        { bytes },
        'single',
      );
      await putOk(upload, bytes);
      uploaded.push({ file, bytes });
    }
    const requests = [
      ...Array.from({ length: 40 }, () => ({
        method: 'GET',
        path: `/v1/files/${resumable.file.id}/parts`,
      })),
      ...uploaded.map(({ file }) => ({ method: 'POST', path: `/v1/files/${file.id}/complete` })),
    ];
    assert.equal(requests.length, IN_FLIGHT);
    // Each handler calls storage once before it can answer: the gate holds that call, so a held
    // call is a request A has accepted, routed and not answered.
    cluster.gateA.hold((method, url) => method === 'HEAD' || /[?&]uploadId=/.test(url));
    const inFlight = requests.map((r) =>
      c.call(A, r.method, r.path, {
        token,
        body: r.method === 'POST' ? {} : undefined,
        signal: AbortSignal.timeout(30_000),
      }),
    );
    await eventually(`${String(IN_FLIGHT)} storage calls held`, 20_000, () =>
      Promise.resolve(cluster.gateA.held === IN_FLIGHT ? true : undefined),
    );

    const onB = keepCalling(c, B, [
      { method: 'GET', path: `/v1/sessions/${session.id}`, token },
      { method: 'GET', path: `/v1/files/${resumable.file.id}/parts`, token },
      { method: 'GET', path: '/health/ready' },
    ]);
    let exitedAt = 0;
    cluster.a.run.child.once('exit', () => (exitedAt = Date.now()));
    const signalledAt = Date.now();
    cluster.a.run.child.kill('SIGTERM');
    await untilDraining(A, 10_000);
    // Draining and not gone: A waits for what it holds.
    await sleep(300);
    assert.equal(cluster.a.run.child.exitCode, null, 'A exited with requests in flight');
    const releasedAt = Date.now();
    cluster.gateA.release();

    const answers = await Promise.all(inFlight);
    const texts = await Promise.all(answers.map((r) => r.text()));
    assert.deepEqual(
      answers.map((r) => r.status),
      requests.map(() => 200),
      texts.filter((_, i) => answers[i]?.status !== 200).join('\n'),
    );
    for (const text of texts.slice(40))
      assert.equal((JSON.parse(text) as FileBody).status, 'ready');
    assert.equal(await cluster.a.run.exited, 0, cluster.a.run.stderr());
    assert.ok(exitedAt >= releasedAt, 'A exited only after its requests were let go');
    const onBAnswers = await onB.stop();
    const during = onBAnswers.filter((x) => x.at >= signalledAt && x.at <= exitedAt);
    assert.ok(during.length > 0, 'B was asked while A shut down');
    assert.deepEqual(
      onBAnswers.filter((x) => x.status !== 200),
      [],
      'B answered everything',
    );
    // What A finished during its shutdown is there for B.
    for (const { file, bytes } of uploaded) {
      const got = await expectStatus<FileBody>(await getFile(B, token, file.id), 200);
      assert.equal(got.status, 'ready');
      const { res } = await download(B, token, file.id);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
    }
  });
});
