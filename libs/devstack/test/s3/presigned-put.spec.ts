// Presigned single PUT as the product issues it: the signature binds key, length, type and
// SHA-256, the browser sends the bytes with fetch, and anything that deviates is refused with
// nothing stored.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { presignPut, upload } from './presign.js';
import {
  failure,
  headStatus,
  md5Hex,
  openTarget,
  sha256Base64,
  uniqueKey,
  type Target,
} from './support.js';

describe('presigned PUT', () => {
  let target: Target;
  before(async () => {
    target = await openTarget('put');
  });
  after(() => target.close());

  it('stores the exact bytes and reports their SHA-256, type and MD5 ETag', async () => {
    const key = uniqueKey('put/ok');
    const body = randomBytes(64 * 1024 + 3);
    const req = await presignPut(target, key, body, { contentType: 'image/png' });
    const res = await upload(req, body);
    assert.equal(res.status, 200, await res.text());
    assert.equal(res.headers.get('etag'), `"${md5Hex(body)}"`);
    assert.equal(res.headers.get('x-amz-checksum-sha256'), sha256Base64(body));

    const got = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);

    const head = await target.client.send(
      new HeadObjectCommand({ Bucket: target.bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    assert.equal(head.ChecksumSHA256, sha256Base64(body));
    assert.equal(head.ChecksumType, 'FULL_OBJECT');
    assert.equal(head.ContentLength, body.byteLength);
    assert.equal(head.ContentType, 'image/png');
    assert.equal(head.ETag, `"${md5Hex(body)}"`);
  });

  it('keeps keys with spaces, unicode and reserved characters intact', async () => {
    const key = `put/Überweisung März (1) + 100%=ok & ünïcødé 😀.pdf`;
    const body = randomBytes(1000);
    const res = await upload(await presignPut(target, key, body), body);
    assert.equal(res.status, 200, await res.text());
    assert.equal(await headStatus(target, key), 200);
  });

  it('refuses bytes that do not match the signed SHA-256 with 400 BadDigest', async () => {
    const key = uniqueKey('put/baddigest');
    const intended = randomBytes(4096);
    const req = await presignPut(target, key, intended);
    const res = await upload(req, randomBytes(intended.byteLength));
    assert.deepEqual(await failure(res), { status: 400, code: 'BadDigest' });
    assert.equal(await headStatus(target, key), 404);
  });

  it('refuses a body whose length differs from the signed Content-Length', async () => {
    const key = uniqueKey('put/length');
    const intended = randomBytes(4096);
    const req = await presignPut(target, key, intended);
    for (const body of [intended.subarray(0, 4000), Buffer.concat([intended, randomBytes(10)])]) {
      const res = await upload(req, body);
      const { status, code } = await failure(res);
      assert.ok(status === 403 || status === 400, `status ${String(status)} (${String(code)})`);
    }
    assert.equal(await headStatus(target, key), 404);
  });

  it('refuses a Content-Type other than the signed one with 403 SignatureDoesNotMatch', async () => {
    const key = uniqueKey('put/type');
    const body = randomBytes(100);
    const req = await presignPut(target, key, body, { contentType: 'image/png' });
    const res = await upload(req, body, { 'content-type': 'text/html' });
    assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
    assert.equal(await headStatus(target, key), 404);
  });

  it('refuses an upload that omits the signed checksum header', async () => {
    const key = uniqueKey('put/nochecksum');
    const body = randomBytes(100);
    const req = await presignPut(target, key, body);
    const res = await fetch(req.url, {
      method: 'PUT',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body,
    });
    assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
    assert.equal(await headStatus(target, key), 404);
  });

  it('refuses an expired URL with 403 AccessDenied', async () => {
    const key = uniqueKey('put/expired');
    const body = randomBytes(100);
    const req = await presignPut(target, key, body, {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 5 * 60_000),
    });
    const res = await upload(req, body);
    assert.deepEqual(await failure(res), { status: 403, code: 'AccessDenied' });
    assert.equal(await headStatus(target, key), 404);
  });

  describe('a tampered URL is refused with 403 and stores nothing', () => {
    const tamper = async (edit: (url: URL) => void): Promise<{ key: string; res: Response }> => {
      const key = uniqueKey('put/tamper');
      const body = randomBytes(100);
      const req = await presignPut(target, key, body);
      const url = new URL(req.url);
      edit(url);
      const res = await fetch(url, { method: 'PUT', headers: req.headers, body });
      return { key, res };
    };

    it('changed key', async () => {
      const { key, res } = await tamper((url) => {
        url.pathname = url.pathname.replace(/[^/]+$/, 'someone-else.bin');
      });
      assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
      assert.equal(await headStatus(target, key), 404);
      assert.equal(await headStatus(target, `${key.replace(/[^/]+$/, '')}someone-else.bin`), 404);
    });

    it('changed signature', async () => {
      const { key, res } = await tamper((url) => {
        const sig = url.searchParams.get('X-Amz-Signature') ?? '';
        const last = sig.endsWith('0') ? '1' : '0';
        url.searchParams.set('X-Amz-Signature', sig.slice(0, -1) + last);
      });
      assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
      assert.equal(await headStatus(target, key), 404);
    });

    it('extended expiry', async () => {
      const { key, res } = await tamper((url) => {
        url.searchParams.set('X-Amz-Expires', '3600');
      });
      assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
      assert.equal(await headStatus(target, key), 404);
    });

    it('unknown access key', async () => {
      const { key, res } = await tamper((url) => {
        const credential = url.searchParams.get('X-Amz-Credential') ?? '';
        url.searchParams.set('X-Amz-Credential', credential.replace(/^[^/]+/, 'AKIDUNKNOWN0000'));
      });
      assert.deepEqual(await failure(res), { status: 403, code: 'InvalidAccessKeyId' });
      assert.equal(await headStatus(target, key), 404);
    });
  });

  it('an upload URL cannot be replayed to read or delete the object', async () => {
    const key = uniqueKey('put/replay');
    const body = randomBytes(100);
    const req = await presignPut(target, key, body);
    assert.equal((await upload(req, body)).status, 200);
    for (const method of ['GET', 'DELETE', 'HEAD']) {
      const res = await fetch(req.url, { method, headers: req.headers });
      assert.equal(res.status, 403, `${method} with the PUT URL`);
      await res.body?.cancel();
    }
    assert.equal(await headStatus(target, key), 200, 'the object is still there');
  });

  it('refuses an unsigned request with 403 AccessDenied', async () => {
    const key = uniqueKey('put/anonymous');
    const body = randomBytes(100);
    const res = await fetch(target.objectUrl(key), { method: 'PUT', body });
    assert.deepEqual(await failure(res), { status: 403, code: 'AccessDenied' });
    assert.equal(await headStatus(target, key), 404);
    const read = await fetch(target.objectUrl(key));
    assert.equal(read.status, 403);
    await read.body?.cancel();
  });

  it('honours If-None-Match: * — a second upload to the same key gets 412', async () => {
    const key = uniqueKey('put/create-only');
    const first = randomBytes(2048);
    const res1 = await upload(await presignPut(target, key, first, { ifNoneMatch: true }), first);
    assert.equal(res1.status, 200, await res1.text());

    const second = randomBytes(2048);
    const res2 = await upload(await presignPut(target, key, second, { ifNoneMatch: true }), second);
    assert.deepEqual(await failure(res2), { status: 412, code: 'PreconditionFailed' });

    const got = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), first);
  });

  it('of two racing create-only uploads to one key exactly one wins', async () => {
    const key = uniqueKey('put/race');
    const bodies = [randomBytes(1024 * 1024), randomBytes(1024 * 1024)];
    const reqs = await Promise.all(
      bodies.map((b) => presignPut(target, key, b, { ifNoneMatch: true })),
    );
    const results = await Promise.all(reqs.map((r, i) => upload(r, bodies[i] ?? Buffer.alloc(0))));
    const statuses = await Promise.all(results.map(async (r) => (await failure(r)).status));
    const winner = statuses.indexOf(200);
    assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses ${statuses.join(', ')}`);
    // S3 answers the loser 412, or 409 ConditionalRequestConflict while the winner is in flight.
    assert.ok([409, 412].includes(statuses[1 - winner] ?? 0), `statuses ${statuses.join(', ')}`);
    const got = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(bodies[winner]));
  });

  it('refuses a malformed checksum value with 400', async () => {
    const key = uniqueKey('put/badchecksum');
    const body = randomBytes(100);
    const req = await presignPut(target, key, body, { checksum: 'not-a-sha256' });
    const res = await upload(req, body);
    assert.equal((await failure(res)).status, 400);
    assert.equal(await headStatus(target, key), 404);
  });
});
