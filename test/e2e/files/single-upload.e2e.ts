// Single uploads with real bytes: plain fetch to the devstack S3 with exactly the headers the API
// returned, as a client would; storage refuses anything else, complete proves the rest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import {
  api,
  complete,
  declare,
  declareBody,
  declared,
  deleteFile,
  download,
  expectStatus,
  extendedFilename,
  getFile,
  grantDownload,
  listFiles,
  putOk,
  putTo,
  sha256Hex,
  testBytes,
  uploadSingle,
  type FileBody,
  type SingleUpload,
} from '../../support/upload-client.js';
import { expectProblem } from '../http/problem-assert.js';
import { activity } from '../pairing/pairing-client.js';
import {
  GENEROUS_LIMITS,
  objectExists,
  ownerWithSession,
  storageKey,
  type Shared,
} from './files-fixtures.js';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

interface Quota {
  day: string;
  files: { used: number; limit: number };
  bytes: { used: number; limit: number };
  resetsAt: string;
}

describe('files: single uploads', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: GENEROUS_LIMITS });
  });
  after(async () => {
    await t.close();
  });

  const quotaOf = async (token: string) =>
    expectStatus<Quota>(await api(t.baseUrl, 'GET', '/v1/quota', token), 200);

  it('uploads a small file, proves it ready and downloads exactly its bytes', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const bytes = text('Meeting notes\n'.repeat(500));
    const before = Date.now();
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes, name: 'notes.txt', contentType: 'text/plain' },
      'single',
    );
    assert.equal(file.status, 'pending');
    assert.equal(file.name, 'notes.txt');
    assert.equal(file.size, bytes.length);
    assert.equal(file.sha256, sha256Hex(bytes));
    assert.equal(file.readyAt, null);
    assert.equal(upload.method, 'PUT');
    assert.deepEqual(Object.keys(upload.headers).sort(), [
      'content-length',
      'content-type',
      'if-none-match',
      'x-amz-checksum-sha256',
    ]);
    assert.equal(
      upload.headers['x-amz-checksum-sha256'],
      Buffer.from(file.sha256, 'hex').toString('base64'),
    );
    // Minutes, not hours (UPLOAD_URL_TTL_SECONDS, 600 by default).
    const ttl = Date.parse(upload.expiresAt) - before;
    assert.ok(ttl > 0 && ttl <= 601_000, `URL lives ${String(ttl)} ms`);
    // The storage key is made of ids only.
    assert.ok(new URL(upload.url).pathname.endsWith(`/${storageKey(session.id, file.id)}`));

    await putOk(upload, bytes);
    const ready = await expectStatus<FileBody>(
      await complete(t.baseUrl, owner.token, file.id),
      200,
    );
    assert.equal(ready.status, 'ready');
    assert.ok(ready.readyAt !== null);
    // Completing again answers the same outcome.
    const again = await expectStatus<FileBody>(
      await complete(t.baseUrl, owner.token, file.id),
      200,
    );
    assert.deepEqual(again, ready);
    assert.deepEqual(
      await expectStatus<FileBody>(await getFile(t.baseUrl, owner.token, file.id), 200),
      ready,
    );

    const { grant, res } = await download(t.baseUrl, owner.token, file.id);
    assert.equal(grant.remainingDownloads, ready.maxDownloads - 1);
    const got = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.equal(sha256Hex(got), file.sha256);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="notes\.txt"/,
    );
    const lifetime = Date.parse(grant.expiresAt) - Date.now();
    assert.ok(lifetime > 0 && lifetime <= 61_000, `download URL lives ${String(lifetime)} ms`);
    assert.equal(
      (await expectStatus<FileBody>(await getFile(t.baseUrl, owner.token, file.id), 200)).downloads,
      1,
    );

    const events = (await activity(t.baseUrl, owner, session.id)).items.map((e) => e.type);
    assert.deepEqual(
      events.filter((e) => e.startsWith('file.')),
      ['file.declared', 'file.ready', 'file.downloaded'],
    );
    const quota = await quotaOf(owner.token);
    assert.equal(quota.files.used, 1);
    assert.equal(quota.bytes.used, bytes.length);
    assert.equal(quota.day, new Date().toISOString().slice(0, 10));
    assert.match(quota.resetsAt, /T00:00:00\.000Z$/);

    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    assert.match(metrics, /sharexpress_uploads_started_total\{mode="single"\} [1-9]/);
    assert.match(metrics, /sharexpress_uploads_completed_total\{mode="single"\} [1-9]/);
    assert.match(metrics, /sharexpress_downloads_granted_total [1-9]/);
    assert.match(metrics, /sharexpress_bytes_verified_total [1-9]/);
  });

  it('names a non-ASCII file right in Content-Disposition (RFC 6266 / 5987)', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const name = 'Résumé – 東京 «2026» 👍.txt';
    const file = await uploadSingle(t.baseUrl, owner.token, session.id, {
      bytes: text('hello'),
      name,
    });
    assert.equal(file.name, name);
    const { res } = await download(t.baseUrl, owner.token, file.id);
    assert.equal(sha256Hex(Buffer.from(await res.arrayBuffer())), sha256Hex(text('hello')));
    const disposition = res.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    assert.equal(extendedFilename(disposition), name);
  });

  it('uploads an empty file', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const file = await uploadSingle(t.baseUrl, owner.token, session.id, {
      bytes: Buffer.alloc(0),
      name: 'empty.txt',
    });
    const { res } = await download(t.baseUrl, owner.token, file.id);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  it('lets storage refuse wrong bytes, a longer body, changed headers and a second PUT', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const bytes = text('the real contents of the file\n'.repeat(100));
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'single',
    );
    const key = storageKey(session.id, file.id);
    const refused = async (res: Response, status: number) => {
      const body = await res.text();
      assert.equal(res.status, status, body);
      assert.equal(await objectExists(t.backends, key), false, 'nothing stored');
    };

    // Wrong bytes of the right length: the signed checksum does not match.
    const wrong = Buffer.from(bytes);
    wrong[10] = wrong[10] === 0x41 ? 0x42 : 0x41;
    await refused(await putTo(upload, wrong), 400);
    // Complete finds nothing: 409, and the file stays pending.
    await expectProblem(await complete(t.baseUrl, owner.token, file.id), 409, 'UPLOAD_INCOMPLETE');
    assert.equal(
      (await expectStatus<FileBody>(await getFile(t.baseUrl, owner.token, file.id), 200)).status,
      'pending',
    );
    // A longer body (with its true length): the signed Content-Length does not match.
    const longer = Buffer.concat([bytes, text('!')]);
    await refused(await putTo(upload, longer, { 'content-length': String(longer.length) }), 403);
    // Unsigned header changes: another type, an extra x-amz-* header.
    await refused(await putTo(upload, bytes, { 'content-type': 'text/html' }), 403);
    await refused(await putTo(upload, bytes, { 'x-amz-meta-evil': '1' }), 403);
    // Dropping If-None-Match is a change of the signed headers too.
    const { 'if-none-match': _dropped, ...withoutCondition } = upload.headers;
    assert.equal(_dropped, '*');
    await refused(
      await fetch(upload.url, { method: 'PUT', headers: withoutCondition, body: bytes }),
      403,
    );

    await putOk(upload, bytes);
    // A second PUT of the same URL overwrites nothing, whatever it carries.
    const second = await putTo(upload, bytes);
    assert.equal(second.status, 412, await second.text());
    const third = await putTo(upload, wrong);
    assert.ok([400, 412].includes(third.status), `second PUT answered ${String(third.status)}`);
    await third.body?.cancel();

    const ready = await expectStatus<FileBody>(
      await complete(t.baseUrl, owner.token, file.id),
      200,
    );
    assert.equal(ready.status, 'ready');
    const { res } = await download(t.baseUrl, owner.token, file.id);
    assert.equal(sha256Hex(Buffer.from(await res.arrayBuffer())), file.sha256);
  });

  it('rejects a Windows executable declared as image/png: 422, object deleted, quota back', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const quotaBefore = await quotaOf(owner.token);
    // An MZ header followed by a PE-ish stub: file-type recognizes a Windows executable.
    const exe = Buffer.concat([Buffer.from('MZ'), testBytes(4094, 7)]);
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes: exe, name: 'cat.png', contentType: 'image/png' },
      'single',
    );
    await putOk(upload, exe);
    const key = storageKey(session.id, file.id);
    assert.equal(await objectExists(t.backends, key), true);

    const problem = await expectProblem(
      await complete(t.baseUrl, owner.token, file.id),
      422,
      'INTEGRITY_MISMATCH',
    );
    assert.match(problem.detail, /content/);
    assert.match(problem.detail, /image\/png/);
    assert.equal(await objectExists(t.backends, key), false, 'the rejected object is gone');
    const rejected = await expectStatus<FileBody>(
      await getFile(t.baseUrl, owner.token, file.id),
      200,
    );
    assert.equal(rejected.status, 'rejected');
    // The same outcome again, nothing downloadable, reservations given back.
    await expectProblem(await complete(t.baseUrl, owner.token, file.id), 422, 'INTEGRITY_MISMATCH');
    await expectProblem(await grantDownload(t.baseUrl, owner.token, file.id), 409, 'CONFLICT');
    assert.deepEqual(await quotaOf(owner.token), quotaBefore);
    const stored = await expectStatus<{ stats: { files: number; bytes: number } }>(
      await api(t.baseUrl, 'GET', `/v1/sessions/${session.id}`, owner.token),
      200,
    );
    assert.deepEqual(stored.stats, { ...stored.stats, files: 0, bytes: 0 });
    const events = (await activity(t.baseUrl, owner, session.id)).items;
    const event = events.find((e) => e.type === 'file.rejected');
    assert.deepEqual(event?.data, { fileId: file.id, reason: 'content' });
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    assert.match(metrics, /sharexpress_uploads_rejected_total\{reason="content"\} [1-9]/);
  });

  it('rejects an upload that smuggled in a Content-Encoding header: 422, object deleted', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const bytes = testBytes(2048, 11);
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes, name: 'notes.txt', contentType: 'text/plain' },
      'single',
    );
    // Not part of the signed set, so storage takes it and would serve every download with it.
    const put = await putTo(upload, bytes, { 'content-encoding': 'gzip' });
    assert.equal(put.status, 200, await put.text());
    const problem = await expectProblem(
      await complete(t.baseUrl, owner.token, file.id),
      422,
      'INTEGRITY_MISMATCH',
    );
    assert.match(problem.detail, /Content-Encoding: gzip/);
    assert.equal(await objectExists(t.backends, storageKey(session.id, file.id)), false);
  });

  it('rejects an HTML page declared as image/jpeg, and accepts a real PNG as image/png', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const html = text('<!DOCTYPE html><html><body><script>alert(document.cookie)</script>');
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes: html, name: 'photo.jpg', contentType: 'image/jpeg' },
      'single',
    );
    await putOk(upload, html);
    const problem = await expectProblem(
      await complete(t.baseUrl, owner.token, file.id),
      422,
      'INTEGRITY_MISMATCH',
    );
    assert.match(problem.detail, /text\/html/);
    assert.equal(await objectExists(t.backends, storageKey(session.id, file.id)), false);

    // A genuine PNG (signature and IHDR) declared as what it is passes the sniff.
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
      testBytes(64, 2),
    ]);
    const ok = await uploadSingle(t.baseUrl, owner.token, session.id, {
      bytes: png,
      name: 'dot.png',
      contentType: 'image/png',
    });
    assert.equal(ok.status, 'ready');
  });

  it('stores hostile names safely: the response shows the safe name, the key has ids only', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const emoji = '😀'.repeat(75); // 300 bytes of UTF-8
    const cases: [string, string | RegExp][] = [
      ['../../etc/passwd', '_.._etc_passwd'],
      ['invoice\u202Egnp.exe', 'invoicegnp.exe'],
      [emoji, '😀'.repeat(63)],
      ['CON.txt', '_CON.txt'],
      ['a/b\\c.txt', 'a_b_c.txt'],
    ];
    for (const [raw, expected] of cases) {
      const bytes = text(`contents of ${raw}`);
      const { file, upload } = await declared<SingleUpload>(
        t.baseUrl,
        owner.token,
        session.id,
        { bytes, name: raw },
        'single',
      );
      if (typeof expected === 'string') assert.equal(file.name, expected, JSON.stringify(raw));
      assert.ok(Buffer.byteLength(file.name) <= 255);
      assert.doesNotMatch(file.name, /[/\\\u202A-\u202E\u2066-\u2069\p{Cc}]/u);
      assert.doesNotMatch(file.name, /^\.|[. ]$/);
      const path = decodeURIComponent(new URL(upload.url).pathname);
      assert.ok(path.endsWith(`/sessions/${session.id}/files/${file.id}`), path);
      await putOk(upload, bytes);
      await expectStatus<FileBody>(await complete(t.baseUrl, owner.token, file.id), 200);
      assert.equal(await objectExists(t.backends, storageKey(session.id, file.id)), true);
      const { res } = await download(t.baseUrl, owner.token, file.id);
      await res.arrayBuffer();
      assert.equal(extendedFilename(res.headers.get('content-disposition') ?? ''), file.name);
    }
    const listed = await expectStatus<{ items: FileBody[] }>(
      await listFiles(t.baseUrl, owner.token, session.id),
      200,
    );
    assert.equal(listed.items.length, cases.length);
  });

  it('deletes the object first and the record second, idempotently', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const ready = await uploadSingle(t.baseUrl, owner.token, session.id, { bytes: text('bye') });
    const pending = (
      await declared<SingleUpload>(
        t.baseUrl,
        owner.token,
        session.id,
        { bytes: text('never') },
        'single',
      )
    ).file;
    const usedBefore = await quotaOf(owner.token);
    assert.equal(usedBefore.files.used, 2);

    for (const file of [ready, pending]) {
      assert.equal((await deleteFile(t.baseUrl, owner.token, file.id)).status, 204);
      assert.equal((await deleteFile(t.baseUrl, owner.token, file.id)).status, 204);
      await expectProblem(await getFile(t.baseUrl, owner.token, file.id), 404, 'NOT_FOUND');
      assert.equal(await objectExists(t.backends, storageKey(session.id, file.id)), false);
    }
    await expectProblem(await grantDownload(t.baseUrl, owner.token, ready.id), 404, 'NOT_FOUND');
    // The ready file's quota stays used (daily usage); the never-uploaded one's comes back.
    const usedAfter = await quotaOf(owner.token);
    assert.equal(usedAfter.files.used, 1);
    assert.equal(usedAfter.bytes.used, 3);
    const stored = await expectStatus<{ stats: { files: number; bytes: number } }>(
      await api(t.baseUrl, 'GET', `/v1/sessions/${session.id}`, owner.token),
      200,
    );
    assert.equal(stored.stats.files, 0);
    assert.equal(stored.stats.bytes, 0);
    const listed = await expectStatus<{ items: FileBody[] }>(
      await listFiles(t.baseUrl, owner.token, session.id),
      200,
    );
    assert.deepEqual(listed.items, []);
    const types = (await activity(t.baseUrl, owner, session.id)).items.map((e) => e.type);
    assert.equal(types.filter((type) => type === 'file.deleted').length, 2);
  });

  it('pages the owner’s list oldest first', async () => {
    const { owner, session }: Shared = await ownerWithSession(t.baseUrl);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await declare(
        t.baseUrl,
        owner.token,
        session.id,
        declareBody({ bytes: text(`file ${String(i)}`), name: `f${String(i)}.txt` }),
      );
      ids.push((await expectStatus<{ file: FileBody }>(res, 201)).file.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page: { items: FileBody[]; nextCursor: string | null } = await expectStatus(
        await listFiles(t.baseUrl, owner.token, session.id, query),
        200,
      );
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((f) => f.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, ids);
  });
});
