// Presigned GET as the product issues downloads: ranges for resumable downloads, and server-set
// Content-Disposition / Content-Type overrides that the downloader cannot change.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { presignGet } from './presign.js';
import { failure, md5Hex, openTarget, uniqueKey, type Target } from './support.js';

describe('presigned GET', () => {
  let target: Target;
  const key = uniqueKey('get/object');
  const body = randomBytes(10_000);

  before(async () => {
    target = await openTarget('get');
    await target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/octet-stream',
      }),
    );
  });
  after(() => target.close());

  const bytesOf = async (res: Response): Promise<Buffer> => Buffer.from(await res.arrayBuffer());

  it('returns the whole object with its length, ETag and Accept-Ranges', async () => {
    const res = await fetch(await presignGet(target, key));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(body.byteLength));
    assert.equal(res.headers.get('etag'), `"${md5Hex(body)}"`);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.ok(res.headers.get('last-modified'), 'Last-Modified is set');
    assert.deepEqual(await bytesOf(res), body);
  });

  it('answers a byte range with 206 and Content-Range', async () => {
    const res = await fetch(await presignGet(target, key), { headers: { range: 'bytes=100-199' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 100-199/${String(body.byteLength)}`);
    assert.equal(res.headers.get('content-length'), '100');
    assert.deepEqual(await bytesOf(res), body.subarray(100, 200));
  });

  it('answers open-ended and suffix ranges', async () => {
    const url = await presignGet(target, key);
    const open = await fetch(url, { headers: { range: 'bytes=9990-' } });
    assert.equal(open.status, 206);
    assert.equal(open.headers.get('content-range'), `bytes 9990-9999/${String(body.byteLength)}`);
    assert.deepEqual(await bytesOf(open), body.subarray(9990));

    const suffix = await fetch(url, { headers: { range: 'bytes=-16' } });
    assert.equal(suffix.status, 206);
    assert.equal(suffix.headers.get('content-range'), `bytes 9984-9999/${String(body.byteLength)}`);
    assert.deepEqual(await bytesOf(suffix), body.subarray(-16));

    const clamped = await fetch(url, { headers: { range: 'bytes=9000-20000' } });
    assert.equal(clamped.status, 206);
    assert.equal(
      clamped.headers.get('content-range'),
      `bytes 9000-9999/${String(body.byteLength)}`,
    );
    assert.deepEqual(await bytesOf(clamped), body.subarray(9000));
  });

  it('refuses a range past the end with 416 InvalidRange', async () => {
    const res = await fetch(await presignGet(target, key), {
      headers: { range: `bytes=${String(body.byteLength)}-` },
    });
    assert.deepEqual(await failure(res), { status: 416, code: 'InvalidRange' });
  });

  it('reflects ResponseContentDisposition and ResponseContentType in the headers', async () => {
    const disposition = `attachment; filename="report.pdf"; filename*=UTF-8''r%C3%A9port.pdf`;
    const url = await presignGet(target, key, { disposition, contentType: 'application/pdf' });
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), disposition);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.deepEqual(await bytesOf(res), body);

    const ranged = await fetch(url, { headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-disposition'), disposition);
    assert.deepEqual(await bytesOf(ranged), body.subarray(0, 10));
  });

  it('refuses a URL whose signed Content-Disposition was changed', async () => {
    const url = new URL(await presignGet(target, key, { disposition: 'attachment' }));
    url.searchParams.set('response-content-disposition', 'inline');
    const res = await fetch(url);
    assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('refuses an added, unsigned override', async () => {
    const url = new URL(await presignGet(target, key));
    url.searchParams.set('response-content-type', 'text/html');
    const res = await fetch(url);
    assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('refuses an expired URL with 403 AccessDenied', async () => {
    const url = await getSignedUrl(
      target.client,
      new GetObjectCommand({ Bucket: target.bucket, Key: key }),
      { expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60_000) },
    );
    assert.deepEqual(await failure(await fetch(url)), { status: 403, code: 'AccessDenied' });
  });

  it('answers a missing key with 404 NoSuchKey as XML', async () => {
    const res = await fetch(await presignGet(target, uniqueKey('get/missing')));
    assert.match(res.headers.get('content-type') ?? '', /xml/);
    assert.deepEqual(await failure(res), { status: 404, code: 'NoSuchKey' });
  });

  it('answers a conditional GET with the current ETag with 304', async () => {
    const res = await fetch(await presignGet(target, key), {
      headers: { 'if-none-match': `"${md5Hex(body)}"` },
    });
    assert.equal(res.status, 304);
    await res.body?.cancel();
  });
});
