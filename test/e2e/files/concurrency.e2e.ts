// Exact counts under concurrency: the daily quota, the download limit and complete's one outcome
// each hold with one conditional atomic update, whatever arrives at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import {
  api,
  complete,
  declare,
  declareBody,
  declared,
  expectStatus,
  getFile,
  grantDownload,
  putOk,
  testBytes,
  uploadSingle,
  type FileBody,
  type SingleUpload,
} from '../../support/upload-client.js';
import { expectProblem } from '../http/problem-assert.js';
import { activity } from '../pairing/pairing-client.js';
import { GENEROUS_LIMITS, objectExists, ownerWithSession, storageKey } from './files-fixtures.js';

const DAY_S = 86_400;

describe('files: exact counts under concurrency', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { ...GENEROUS_LIMITS, QUOTA_DAILY_FILES: '10' } });
  });
  after(async () => {
    await t.close();
  });

  it('lets exactly 10 of 50 parallel declares through a daily quota of 10 files', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        declare(
          t.baseUrl,
          owner.token,
          session.id,
          declareBody({ bytes: Buffer.from(`file ${String(i)}`), name: `f${String(i)}.txt` }),
        ),
      ),
    );
    const created = answers.filter((res) => res.status === 201);
    const refused = answers.filter((res) => res.status === 429);
    assert.equal(created.length, 10);
    assert.equal(refused.length, 40);
    for (const res of created) await res.body?.cancel();
    const secondsToMidnight = DAY_S - Math.floor((Date.now() / 1000) % DAY_S);
    for (const res of refused) {
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, String(retryAfter));
      assert.ok(Math.abs(retryAfter - secondsToMidnight) <= 5, `${String(retryAfter)}`);
      await expectProblem(res, 429, 'QUOTA_EXCEEDED');
    }
    const quota = await expectStatus<{ files: { used: number; limit: number } }>(
      await api(t.baseUrl, 'GET', '/v1/quota', owner.token),
      200,
    );
    assert.deepEqual(quota.files, { used: 10, limit: 10 });
    const stored = await expectStatus<{ stats: { files: number } }>(
      await api(t.baseUrl, 'GET', `/v1/sessions/${session.id}`, owner.token),
      200,
    );
    assert.equal(stored.stats.files, 10);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    assert.match(metrics, /sharexpress_quota_refusals_total (\d+)/);
    assert.ok(Number(/sharexpress_quota_refusals_total (\d+)/.exec(metrics)?.[1]) >= 40);
  });

  it('grants exactly 3 of 20 parallel downloads of a file allowing 3', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl, {
      limits: { maxDownloadsPerFile: 3 },
    });
    const file = await uploadSingle(t.baseUrl, owner.token, session.id, {
      bytes: Buffer.from('popular'),
    });
    assert.equal(file.maxDownloads, 3);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => grantDownload(t.baseUrl, owner.token, file.id)),
    );
    const granted = answers.filter((res) => res.status === 201);
    assert.equal(granted.length, 3);
    const remaining = await Promise.all(
      granted.map(
        async (res) => ((await res.json()) as { remainingDownloads: number }).remainingDownloads,
      ),
    );
    assert.deepEqual(remaining.sort(), [0, 1, 2]);
    for (const res of answers.filter((r) => r.status !== 201)) {
      await expectProblem(res, 410, 'DOWNLOAD_LIMIT_REACHED');
    }
    const after = await expectStatus<FileBody>(
      await api(t.baseUrl, 'GET', `/v1/files/${file.id}`, owner.token),
      200,
    );
    assert.equal(after.downloads, 3);
    const types = (await activity(t.baseUrl, owner, session.id)).items.map((e) => e.type);
    assert.equal(types.filter((type) => type === 'file.downloaded').length, 3);
  });

  it('answers 20 parallel completes of one file with one outcome', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const bytes = Buffer.from('complete me once\n'.repeat(64));
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'single',
    );
    await putOk(upload, bytes);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => complete(t.baseUrl, owner.token, file.id)),
    );
    const bodies = await Promise.all(answers.map((res) => expectStatus<FileBody>(res, 200)));
    assert.equal(new Set(bodies.map((b) => JSON.stringify(b))).size, 1, 'one outcome');
    assert.equal(bodies[0]?.status, 'ready');
    const types = (await activity(t.baseUrl, owner, session.id)).items.map((e) => e.type);
    assert.equal(types.filter((type) => type === 'file.ready').length, 1);
  });

  it('rejects once under 20 parallel completes of a spoofed file, giving the quota back once', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    // A second, honest file keeps one reservation standing: a double release would show.
    await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes: Buffer.from('x') },
      'single',
    );
    // Several rounds, the completes staggered by 2 ms: some read the file while it is pending
    // and reach storage after the winner decided and deleted the object. Each must answer the
    // rejection (never 409, never accept a missing object as empty content).
    const rejectedIds: string[] = [];
    for (let round = 0; round < 4; round++) {
      const exe = Buffer.concat([Buffer.from('MZ'), testBytes(2046, 3 + round)]);
      const { file, upload } = await declared<SingleUpload>(
        t.baseUrl,
        owner.token,
        session.id,
        { bytes: exe, name: 'photo.png', contentType: 'image/png' },
        'single',
      );
      await putOk(upload, exe);
      const answers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, 2 * i));
          return complete(t.baseUrl, owner.token, file.id);
        }),
      );
      const statuses = answers.map((res) => res.status);
      assert.deepEqual(statuses, Array<number>(20).fill(422), `round ${String(round)}`);
      for (const res of answers) await expectProblem(res, 422, 'INTEGRITY_MISMATCH');
      assert.equal(await objectExists(t.backends, storageKey(session.id, file.id)), false);
      const got = await expectStatus<FileBody>(await getFile(t.baseUrl, owner.token, file.id), 200);
      assert.equal(got.status, 'rejected');
      rejectedIds.push(file.id);
    }
    const events = (await activity(t.baseUrl, owner, session.id)).items;
    for (const id of rejectedIds) {
      const rejections = events.filter((e) => e.type === 'file.rejected' && e.data.fileId === id);
      assert.equal(rejections.length, 1, id);
    }
    assert.equal(events.filter((e) => e.type === 'file.ready').length, 0);
    const quota = await expectStatus<{ files: { used: number }; bytes: { used: number } }>(
      await api(t.baseUrl, 'GET', '/v1/quota', owner.token),
      200,
    );
    assert.deepEqual([quota.files.used, quota.bytes.used], [1, 1]);
    const stored = await expectStatus<{ stats: { files: number; bytes: number } }>(
      await api(t.baseUrl, 'GET', `/v1/sessions/${session.id}`, owner.token),
      200,
    );
    assert.deepEqual([stored.stats.files, stored.stats.bytes], [1, 1]);
  });
});
