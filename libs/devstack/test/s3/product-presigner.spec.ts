// The product's own Presigner (libs/storage) against the server under test, with plain fetch as
// a browser sends it: what a single upload URL and a part URL bind, and that storage refuses
// every deviation with nothing stored or overwritten. Only documented S3 behaviour: the same
// file passes against AWS S3 or MinIO (S3_ENDPOINT, see support.ts).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
} from '@aws-sdk/client-s3';
import { SigV4Presigner, type PresignedRequest } from '@app/storage';
import {
  failure,
  headStatus,
  md5Hex,
  openTarget,
  sha256Base64,
  uniqueKey,
  type Target,
} from './support.js';

/** PUTs `body` with the signed headers; fetch sets Content-Length from the body, as browsers do. */
function send(
  req: PresignedRequest,
  body: Uint8Array,
  change: Record<string, string | undefined> = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...req.headers };
  delete headers['content-length'];
  for (const [name, value] of Object.entries(change)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return fetch(req.url, { method: req.method, headers, body });
}

describe('the product Presigner against S3', () => {
  let target: Target;
  let presigner: SigV4Presigner;
  before(async () => {
    target = await openTarget('product');
    presigner = new SigV4Presigner({
      publicEndpoint: target.endpoint,
      region: target.region,
      bucket: target.bucket,
      forcePathStyle: true,
      credentials: target.credentials,
    });
  });
  after(() => target.close());

  const bytesAt = async (key: string): Promise<Buffer> => {
    const got = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    return Buffer.from(await got.Body!.transformToByteArray());
  };

  const signPut = (key: string, body: Uint8Array, contentType = 'image/png') =>
    presigner.presignPut({
      key,
      contentLength: body.byteLength,
      contentType,
      sha256Base64: sha256Base64(body),
      ifNoneMatch: true,
      expiresInSeconds: 300,
    });

  describe('single upload (Content-Length, Content-Type, SHA-256, If-None-Match: *)', () => {
    it('binds all four headers and stores the exact bytes', async () => {
      const key = uniqueKey('product/put');
      const body = randomBytes(20_000);
      const req = signPut(key, body);
      const signed = new URL(req.url).searchParams.get('X-Amz-SignedHeaders');
      assert.equal(signed, 'content-length;content-type;host;if-none-match;x-amz-checksum-sha256');
      const res = await send(req, body);
      assert.equal(res.status, 200, await res.text());
      assert.equal(res.headers.get('etag'), `"${md5Hex(body)}"`);
      const head = await target.client.send(
        new HeadObjectCommand({ Bucket: target.bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      assert.equal(head.ChecksumSHA256, sha256Base64(body));
      assert.equal(head.ContentLength, body.byteLength);
      assert.equal(head.ContentType, 'image/png');
    });

    it('a second PUT with the same URL is 412 PreconditionFailed; the first object stays', async () => {
      const key = uniqueKey('product/twice');
      const body = randomBytes(4096);
      const req = signPut(key, body);
      assert.equal((await send(req, body)).status, 200);
      const first = await target.client.send(
        new HeadObjectCommand({ Bucket: target.bucket, Key: key }),
      );
      assert.deepEqual(await failure(await send(req, body)), {
        status: 412,
        code: 'PreconditionFailed',
      });
      const after = await target.client.send(
        new HeadObjectCommand({ Bucket: target.bucket, Key: key }),
      );
      assert.equal(after.LastModified?.getTime(), first.LastModified?.getTime());
      assert.equal(after.ETag, first.ETag);
      assert.deepEqual(await bytesAt(key), body);
    });

    it('dropping If-None-Match to overwrite is 403 SignatureDoesNotMatch', async () => {
      const key = uniqueKey('product/overwrite');
      const body = randomBytes(512);
      const req = signPut(key, body);
      assert.equal((await send(req, body)).status, 200);
      const res = await send(req, body, { 'if-none-match': undefined });
      assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
      assert.deepEqual(await bytesAt(key), body);
    });

    it('wrong bytes of the right length are 400 BadDigest and nothing is stored', async () => {
      const key = uniqueKey('product/baddigest');
      const body = randomBytes(8192);
      const res = await send(signPut(key, body), randomBytes(body.byteLength));
      assert.deepEqual(await failure(res), { status: 400, code: 'BadDigest' });
      assert.equal(await headStatus(target, key), 404);
    });

    it('a longer or shorter body is refused and nothing is stored', async () => {
      const key = uniqueKey('product/length');
      const body = randomBytes(8192);
      const req = signPut(key, body);
      for (const other of [Buffer.concat([body, randomBytes(1)]), body.subarray(0, 8000)]) {
        const { status, code } = await failure(await send(req, other));
        // The signed Content-Length no longer matches: S3 answers SignatureDoesNotMatch.
        assert.equal(status, 403, `${other.byteLength} bytes: ${String(code)}`);
        assert.equal(code, 'SignatureDoesNotMatch');
      }
      assert.equal(await headStatus(target, key), 404);
    });

    for (const [what, change] of [
      ['with another Content-Type', { 'content-type': 'text/html' }],
      [
        'with the SHA-256 of other bytes',
        { 'x-amz-checksum-sha256': sha256Base64(randomBytes(9)) },
      ],
      ['without the checksum header', { 'x-amz-checksum-sha256': undefined }],
    ] as const) {
      it(`a PUT ${what} is 403 SignatureDoesNotMatch and nothing is stored`, async () => {
        const key = uniqueKey('product/changed');
        const body = randomBytes(256);
        const res = await send(signPut(key, body), body, change);
        assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
        assert.equal(await headStatus(target, key), 404);
      });
    }

    it('an extra, unsigned x-amz-* header is 403 and nothing is stored', async () => {
      const key = uniqueKey('product/extra');
      const body = randomBytes(256);
      const res = await send(signPut(key, body), body, { 'x-amz-meta-owner': 'mallory' });
      const { status, code } = await failure(res);
      assert.equal(status, 403);
      assert.ok(code === 'AccessDenied' || code === 'SignatureDoesNotMatch', String(code));
      assert.equal(await headStatus(target, key), 404);
    });
  });

  describe('multipart parts (Content-Length and SHA-256 per part)', () => {
    const create = async (key: string): Promise<string> => {
      const out = await target.client.send(
        new CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: key,
          ContentType: 'application/octet-stream',
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      assert.ok(out.UploadId);
      return out.UploadId;
    };
    const signPart = (key: string, uploadId: string, partNumber: number, body: Uint8Array) =>
      presigner.presignUploadPart({
        key,
        uploadId,
        partNumber,
        contentLength: body.byteLength,
        sha256Base64: sha256Base64(body),
        expiresInSeconds: 300,
      });

    it('wrong bytes are 400 BadDigest, other lengths or checksums 403; none is listed', async () => {
      const key = uniqueKey('product/parts');
      const uploadId = await create(key);
      const body = randomBytes(64 * 1024);
      const req = signPart(key, uploadId, 1, body);
      assert.equal(
        new URL(req.url).searchParams.get('X-Amz-SignedHeaders'),
        'content-length;host;x-amz-checksum-sha256',
      );
      assert.deepEqual(await failure(await send(req, randomBytes(body.byteLength))), {
        status: 400,
        code: 'BadDigest',
      });
      const longer = await failure(await send(req, Buffer.concat([body, randomBytes(1)])));
      assert.deepEqual(longer, { status: 403, code: 'SignatureDoesNotMatch' });
      const other = randomBytes(body.byteLength);
      const swapped = await failure(
        await send(req, other, { 'x-amz-checksum-sha256': sha256Base64(other) }),
      );
      assert.deepEqual(swapped, { status: 403, code: 'SignatureDoesNotMatch' });
      const listed = await target.client.send(
        new ListPartsCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId }),
      );
      assert.deepEqual(listed.Parts ?? [], []);

      const ok = await send(req, body);
      assert.equal(ok.status, 200, await ok.text());
      assert.equal(ok.headers.get('x-amz-checksum-sha256'), sha256Base64(body));
    });

    it('ListParts pages with max-parts and part-number-marker', async () => {
      const key = uniqueKey('product/list');
      const uploadId = await create(key);
      const bodies = Array.from({ length: 5 }, () => randomBytes(1000));
      for (const n of [5, 2, 4, 1, 3]) {
        const res = await send(signPart(key, uploadId, n, bodies[n - 1]), bodies[n - 1]);
        assert.equal(res.status, 200, await res.text());
      }
      const pages: number[][] = [];
      let marker: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = await target.client.send(
          new ListPartsCommand({
            Bucket: target.bucket,
            Key: key,
            UploadId: uploadId,
            MaxParts: 2,
            PartNumberMarker: marker,
          }),
        );
        assert.equal(page.MaxParts, 2);
        pages.push((page.Parts ?? []).map((p) => p.PartNumber ?? 0));
        for (const p of page.Parts ?? []) {
          assert.equal(p.ChecksumSHA256, sha256Base64(bodies[(p.PartNumber ?? 0) - 1]));
          assert.equal(p.Size, 1000);
        }
        if (page.IsTruncated !== true) break;
        assert.equal(page.NextPartNumberMarker, String(pages.at(-1)?.at(-1)));
        marker = page.NextPartNumberMarker;
      }
      assert.deepEqual(pages, [[1, 2], [3, 4], [5]]);
    });
  });

  describe('downloads', () => {
    it('a presigned GET answers ranges (206) with the forced disposition and type', async () => {
      const key = uniqueKey('product/get');
      const body = randomBytes(10_000);
      assert.equal((await send(signPut(key, body, 'application/pdf'), body)).status, 200);
      const disposition = `attachment; filename="r.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`;
      const get = presigner.presignGet({
        key,
        expiresInSeconds: 60,
        responseContentDisposition: disposition,
        responseContentType: 'application/pdf',
      });
      const ranged = await fetch(get.url, { headers: { range: 'bytes=4096-8191' } });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers.get('content-range'), `bytes 4096-8191/${body.byteLength}`);
      assert.equal(ranged.headers.get('content-disposition'), disposition);
      assert.equal(ranged.headers.get('content-type'), 'application/pdf');
      assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), body.subarray(4096, 8192));

      const whole = await fetch(get.url);
      const digest = createHash('sha256')
        .update(Buffer.from(await whole.arrayBuffer()))
        .digest('base64');
      assert.equal(digest, sha256Base64(body));

      const past = await fetch(get.url, { headers: { range: `bytes=${body.byteLength}-` } });
      assert.deepEqual(await failure(past), { status: 416, code: 'InvalidRange' });
    });
  });
});
