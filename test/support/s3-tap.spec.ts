import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomSuffix, startTestBackends, type TestBackends } from './backends.js';
import { testS3Client } from './s3-client.js';
import { classifyS3Request, deleteObjectsKeys, startS3Tap, type S3Tap } from './s3-tap.js';

describe('S3 tap', () => {
  let backends: TestBackends;
  let tap: S3Tap;
  let client: S3Client;

  before(async () => {
    backends = await startTestBackends();
    tap = await startS3Tap(backends.s3.endpoint);
    const { region, accessKeyId, secretAccessKey } = backends.s3;
    // Signed for the tap's address: the Host the upstream receives.
    client = testS3Client({
      endpoint: tap.endpoint,
      region,
      credentials: { accessKeyId, secretAccessKey },
    });
  });
  after(async () => {
    client?.destroy();
    await tap?.close();
    await backends?.stop();
  });

  it('forwards signed requests unchanged and records each operation, deletes counted per key', async () => {
    const Bucket = backends.s3.bucket;
    const prefix = `tap-${randomSuffix()}/`;
    // Keys a path or an XML body must encode: a space, non-ASCII, XML specials.
    const keys = ['one', 'two words', 'tr&s <3>', 'quatre-é'].map((k) => `${prefix}${k}`);
    for (const Key of keys) {
      await client.send(new PutObjectCommand({ Bucket, Key, Body: `body of ${Key}` }));
    }
    const got = await client.send(new GetObjectCommand({ Bucket, Key: keys[1] }));
    assert.equal(await got.Body?.transformToString(), `body of ${keys[1]}`);

    const beforeDeletes = Date.now();
    await client.send(new DeleteObjectCommand({ Bucket, Key: keys[0] }));
    const batch = await client.send(
      new DeleteObjectsCommand({
        Bucket,
        Delete: { Objects: keys.slice(1).map((Key) => ({ Key })), Quiet: true },
      }),
    );
    assert.deepEqual(batch.Errors ?? [], []);
    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }));
    assert.equal(listed.KeyCount, 0, 'the deletes reached storage');

    assert.deepEqual(
      tap.requests.map((r) => r.operation),
      [
        ...keys.map(() => 'PutObject'),
        'GetObject',
        'DeleteObject',
        'DeleteObjects',
        'ListObjectsV2',
      ],
    );
    assert.deepEqual(
      tap.requests.map((r) => r.keys),
      [...keys.map((k) => [k]), [keys[1]], [keys[0]], keys.slice(1), undefined],
    );
    assert.deepEqual(new Map([...tap.deletedKeys()]), new Map(keys.map((k) => [k, 1])));

    const writes = tap.writesSince(beforeDeletes);
    assert.deepEqual(
      writes.map((r) => r.operation),
      ['DeleteObject', 'DeleteObjects'],
    );
    assert.deepEqual(tap.writesSince(Date.now() + 1000), []);
    for (const r of tap.requests) assert.ok(r.at > 0 && r.path.startsWith(`/${Bucket}`));
  });

  it('a DeleteObjects that repeats a key counts it once; a second request counts again', async () => {
    const Bucket = backends.s3.bucket;
    const key = `tap-${randomSuffix()}/again`;
    for (let i = 0; i < 2; i++) {
      await client.send(
        new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: key }, { Key: key }] } }),
      );
    }
    assert.equal(tap.deletedKeys().get(key), 2);
  });

  it('names every operation the worker uses from method, path and query', () => {
    const cases: [string, string, string, Record<string, string>?][] = [
      ['GET', '/b?list-type=2&prefix=x', 'ListObjectsV2'],
      ['GET', '/b/?uploads&prefix=s', 'ListMultipartUploads'],
      ['GET', '/b?lifecycle', 'GetBucketLifecycleConfiguration'],
      ['PUT', '/b?lifecycle', 'PutBucketLifecycleConfiguration'],
      ['HEAD', '/b', 'HeadBucket'],
      ['POST', '/b?delete', 'DeleteObjects'],
      ['HEAD', '/b/k', 'HeadObject'],
      ['GET', '/b/k?x-id=GetObject', 'GetObject'],
      ['PUT', '/b/k', 'PutObject'],
      ['PUT', '/b/k', 'CopyObject', { 'x-amz-copy-source': '/b/j' }],
      ['DELETE', '/b/k?x-id=DeleteObject', 'DeleteObject'],
      ['POST', '/b/k?uploads', 'CreateMultipartUpload'],
      ['PUT', '/b/k?partNumber=1&uploadId=u', 'UploadPart'],
      ['GET', '/b/k?uploadId=u', 'ListParts'],
      ['POST', '/b/k?uploadId=u', 'CompleteMultipartUpload'],
      ['DELETE', '/b/k?uploadId=u', 'AbortMultipartUpload'],
      ['GET', '/', 'Other'],
      ['PUT', '/b?cors', 'Other'],
    ];
    for (const [method, url, operation, headers] of cases) {
      assert.equal(
        classifyS3Request(method, url, headers).operation,
        operation,
        `${method} ${url}`,
      );
    }
    assert.equal(classifyS3Request('GET', '/b/a/b%20c/%C3%A9').key, 'a/b c/é');
  });

  it('reads DeleteObjects keys with XML entities decoded', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Object><Key>a&amp;b</Key></Object><Object><Key>&lt;c&gt;&#13;&#x41;&quot;&apos;</Key>' +
      '<VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>';
    assert.deepEqual(deleteObjectsKeys(xml), ['a&b', `<c>\rA"'`]);
  });
});
