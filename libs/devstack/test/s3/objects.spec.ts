// Object and bucket operations the API and the worker use: listing with prefix, delimiter and
// continuation (reconciliation), batch delete (cleanup), copy, and S3's error codes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  encodeRfc3986,
  failure,
  headStatus,
  md5Hex,
  openTarget,
  productClient,
  sdkRejection,
  type Target,
} from './support.js';

describe('objects and listing', () => {
  let target: Target;
  before(async () => {
    target = await openTarget('objects');
  });
  after(() => target.close());

  const put = (key: string, body: Uint8Array | string = 'x', contentType = 'text/plain') =>
    target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
      }),
    );

  describe('ListObjectsV2', () => {
    const keys = Array.from({ length: 25 }, (_, i) => `list/page/${String(i).padStart(2, '0')}`);
    before(async () => {
      for (const key of keys) await put(key);
      for (const key of ['list/tree/a/1', 'list/tree/a/2', 'list/tree/b/1', 'list/tree/c.txt']) {
        await put(key);
      }
    });

    it('pages 25 keys with MaxKeys 10 into 10 + 10 + 5 via continuation tokens', async () => {
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const out = await target.client.send(
          new ListObjectsV2Command({
            Bucket: target.bucket,
            Prefix: 'list/page/',
            MaxKeys: 10,
            ContinuationToken: token,
          }),
        );
        const page = (out.Contents ?? []).map((o) => o.Key ?? '');
        assert.equal(out.KeyCount, page.length);
        pages.push(page);
        token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
        assert.ok(out.IsTruncated !== true || token, 'a truncated page has a continuation token');
        assert.ok(pages.length <= 3, 'listing terminates');
      } while (token);
      assert.deepEqual(
        pages.map((p) => p.length),
        [10, 10, 5],
      );
      assert.deepEqual(pages.flat(), keys);
    });

    it('groups by delimiter into CommonPrefixes and direct Contents', async () => {
      const out = await target.client.send(
        new ListObjectsV2Command({ Bucket: target.bucket, Prefix: 'list/tree/', Delimiter: '/' }),
      );
      assert.deepEqual(
        (out.CommonPrefixes ?? []).map((p) => p.Prefix),
        ['list/tree/a/', 'list/tree/b/'],
      );
      assert.deepEqual(
        (out.Contents ?? []).map((o) => o.Key),
        ['list/tree/c.txt'],
      );
      assert.equal(out.KeyCount, 3);
    });

    it('lists after StartAfter and reports size and ETag', async () => {
      const out = await target.client.send(
        new ListObjectsV2Command({
          Bucket: target.bucket,
          Prefix: 'list/page/',
          StartAfter: 'list/page/22',
        }),
      );
      const contents = out.Contents ?? [];
      assert.deepEqual(
        contents.map((o) => o.Key),
        ['list/page/23', 'list/page/24'],
      );
      assert.equal(contents[0]?.Size, 1);
      assert.equal(contents[0]?.ETag, `"${md5Hex(Buffer.from('x'))}"`);
      assert.ok(contents[0]?.LastModified instanceof Date);
    });

    it('an unmatched prefix lists nothing', async () => {
      const out = await target.client.send(
        new ListObjectsV2Command({ Bucket: target.bucket, Prefix: 'list/none/' }),
      );
      assert.equal(out.KeyCount, 0);
      assert.equal(out.Contents, undefined);
      assert.equal(out.IsTruncated, false);
    });
  });

  it('DeleteObjects removes a batch and reports missing keys as deleted', async () => {
    const keys = ['del/1', 'del/2', 'del/3'];
    for (const key of keys) await put(key);
    const out = await target.client.send(
      new DeleteObjectsCommand({
        Bucket: target.bucket,
        Delete: { Objects: [...keys, 'del/never-existed'].map((Key) => ({ Key })) },
      }),
    );
    assert.deepEqual((out.Deleted ?? []).map((d) => d.Key).sort(), [...keys, 'del/never-existed']);
    assert.equal((out.Errors ?? []).length, 0);
    for (const key of keys) assert.equal(await headStatus(target, key), 404);

    await put('del/quiet');
    const quiet = await target.client.send(
      new DeleteObjectsCommand({
        Bucket: target.bucket,
        Delete: { Objects: [{ Key: 'del/quiet' }], Quiet: true },
      }),
    );
    assert.equal((quiet.Deleted ?? []).length, 0);
    assert.equal(await headStatus(target, 'del/quiet'), 404);
  });

  it('DeleteObjects refuses more than 1000 keys with MalformedXML', async () => {
    const keys = Array.from({ length: 1001 }, (_, i) => ({ Key: `del/many/${String(i)}` }));
    const err = await sdkRejection(
      target.client.send(
        new DeleteObjectsCommand({ Bucket: target.bucket, Delete: { Objects: keys } }),
      ),
    );
    assert.deepEqual(err, { status: 400, code: 'MalformedXML' });
  });

  it('DeleteObject on a missing key succeeds with 204', async () => {
    const out = await target.client.send(
      new DeleteObjectCommand({ Bucket: target.bucket, Key: 'del/absent' }),
    );
    assert.equal(out.$metadata.httpStatusCode, 204);
  });

  it('CopyObject copies bytes and metadata, or replaces them on request', async () => {
    const body = randomBytes(3000);
    await target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: 'copy/source file.bin',
        Body: body,
        ContentType: 'image/jpeg',
        Metadata: { owner: 'alice' },
      }),
    );
    const source = `${target.bucket}/${encodeRfc3986('copy/source file.bin').replace(/%2F/g, '/')}`;
    const copied = await target.client.send(
      new CopyObjectCommand({ Bucket: target.bucket, Key: 'copy/dest', CopySource: source }),
    );
    assert.equal(copied.CopyObjectResult?.ETag, `"${md5Hex(body)}"`);
    const got = await target.client.send(
      new GetObjectCommand({ Bucket: target.bucket, Key: 'copy/dest' }),
    );
    assert.equal(got.ContentType, 'image/jpeg');
    assert.deepEqual(got.Metadata, { owner: 'alice' });
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body));

    await target.client.send(
      new CopyObjectCommand({
        Bucket: target.bucket,
        Key: 'copy/replaced',
        CopySource: source,
        MetadataDirective: 'REPLACE',
        ContentType: 'application/pdf',
      }),
    );
    const head = await target.client.send(
      new HeadObjectCommand({ Bucket: target.bucket, Key: 'copy/replaced' }),
    );
    assert.equal(head.ContentType, 'application/pdf');
    assert.deepEqual(head.Metadata ?? {}, {});

    const missing = await sdkRejection(
      target.client.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: 'copy/none',
          CopySource: `${target.bucket}/copy/absent`,
        }),
      ),
    );
    assert.deepEqual(missing, { status: 404, code: 'NoSuchKey' });
  });

  describe('errors', () => {
    it('HeadObject on a missing key is a bodyless 404 (SDK NotFound)', async () => {
      const err = await sdkRejection(
        target.client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: 'err/missing' })),
      );
      assert.deepEqual(err, { status: 404, code: 'NotFound' });
    });

    it('GetObject on a missing key is 404 NoSuchKey', async () => {
      const err = await sdkRejection(
        target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: 'err/missing' })),
      );
      assert.deepEqual(err, { status: 404, code: 'NoSuchKey' });
    });

    it('operations on a missing bucket are 404 NoSuchBucket', async () => {
      const Bucket = `${target.bucket}-absent`;
      assert.deepEqual(
        await sdkRejection(target.client.send(new GetObjectCommand({ Bucket, Key: 'k' }))),
        { status: 404, code: 'NoSuchBucket' },
      );
      assert.deepEqual(
        await sdkRejection(target.client.send(new ListObjectsV2Command({ Bucket }))),
        { status: 404, code: 'NoSuchBucket' },
      );
      assert.equal(
        (await sdkRejection(target.client.send(new HeadBucketCommand({ Bucket })))).status,
        404,
      );
    });

    it('a wrong secret key is 403 SignatureDoesNotMatch as an XML error document', async () => {
      const wrong = productClient(target.endpoint, target.region, {
        accessKeyId: target.credentials.accessKeyId,
        secretAccessKey: 'wrong-secret-key-0000000000000000000000',
      });
      try {
        const err = await sdkRejection(
          wrong.send(new GetObjectCommand({ Bucket: target.bucket, Key: 'err/any' })),
        );
        assert.deepEqual(err, { status: 403, code: 'SignatureDoesNotMatch' });
      } finally {
        wrong.destroy();
      }
    });

    it('an anonymous GET gets an XML AccessDenied document', async () => {
      const res = await fetch(target.objectUrl('err/any'));
      assert.match(res.headers.get('content-type') ?? '', /application\/xml/);
      const text = await res.clone().text();
      assert.match(text, /^<\?xml[^>]*\?>\s*<Error>/);
      assert.match(text, /<RequestId>[^<]+<\/RequestId>/);
      assert.deepEqual(await failure(res), { status: 403, code: 'AccessDenied' });
    });
  });
});
