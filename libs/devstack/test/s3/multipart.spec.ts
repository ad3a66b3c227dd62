// Multipart uploads as the product drives them for large files: the API creates the upload and
// signs each part, the browser PUTs the parts with fetch (each with its SHA-256), a reload
// resumes from ListParts, and the API completes with the listed ETags.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { presignPart, upload } from './presign.js';
import {
  failure,
  headStatus,
  md5Hex,
  openTarget,
  sdkRejection,
  sha256Base64,
  uniqueKey,
  type Target,
} from './support.js';

const MiB = 1024 * 1024;

/** S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-<part count>". */
function multipartEtag(parts: Buffer[]): string {
  const md5s = parts.map((p) => createHash('md5').update(p).digest());
  return `"${md5Hex(Buffer.concat(md5s))}-${String(parts.length)}"`;
}

/** S3's composite SHA-256: SHA-256 of the concatenated binary part digests, "-<count>". */
function compositeSha256(parts: Buffer[]): string {
  const digests = parts.map((p) => createHash('sha256').update(p).digest());
  return `${sha256Base64(Buffer.concat(digests))}-${String(parts.length)}`;
}

describe('multipart upload with presigned parts', () => {
  let target: Target;
  before(async () => {
    target = await openTarget('multipart');
  });
  after(() => target.close());

  const create = async (key: string): Promise<string> => {
    const out = await target.client.send(
      new CreateMultipartUploadCommand({
        Bucket: target.bucket,
        Key: key,
        ContentType: 'video/mp4',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    assert.ok(out.UploadId, 'CreateMultipartUpload returns an UploadId');
    return out.UploadId;
  };

  const putPart = async (key: string, uploadId: string, n: number, body: Buffer) => {
    const res = await upload(await presignPart(target, key, uploadId, n, body), body);
    assert.equal(res.status, 200, `part ${String(n)}: ${await res.text()}`);
    return res;
  };

  const listParts = async (key: string, uploadId: string): Promise<CompletedPart[]> => {
    const out = await target.client.send(
      new ListPartsCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId }),
    );
    return (out.Parts ?? []).map((p) => ({
      PartNumber: p.PartNumber,
      ETag: p.ETag,
      ChecksumSHA256: p.ChecksumSHA256,
    }));
  };

  const complete = (key: string, uploadId: string, parts: CompletedPart[]) =>
    target.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );

  it('resumes from ListParts and completes into the concatenated object', async () => {
    const key = uniqueKey('mpu/resume');
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    const uploadId = await create(key);

    const first = await putPart(key, uploadId, 1, parts[0]);
    assert.equal(first.headers.get('etag'), `"${md5Hex(parts[0])}"`);
    assert.equal(first.headers.get('x-amz-checksum-sha256'), sha256Base64(parts[0]));
    await putPart(key, uploadId, 2, parts[1]);

    const inProgress = await target.client.send(
      new ListMultipartUploadsCommand({ Bucket: target.bucket }),
    );
    assert.ok(
      (inProgress.Uploads ?? []).some((u) => u.Key === key && u.UploadId === uploadId),
      'ListMultipartUploads shows the upload in progress',
    );

    // The "page reload": only ListParts says what is already there.
    const listed = await target.client.send(
      new ListPartsCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId }),
    );
    assert.deepEqual(
      (listed.Parts ?? []).map((p) => [p.PartNumber, p.Size, p.ETag, p.ChecksumSHA256]),
      parts.slice(0, 2).map((p, i) => [i + 1, p.byteLength, `"${md5Hex(p)}"`, sha256Base64(p)]),
    );

    await putPart(key, uploadId, 3, parts[2]);
    const done = await complete(key, uploadId, await listParts(key, uploadId));
    assert.match(done.ETag ?? '', /-3"$/);
    assert.equal(done.ETag, multipartEtag(parts));

    const got = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    assert.equal(got.ContentType, 'video/mp4');
    assert.ok(
      Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts)),
      'object bytes equal the concatenated parts',
    );

    const head = await target.client.send(
      new HeadObjectCommand({ Bucket: target.bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    assert.equal(head.ContentLength, 10 * MiB + 1234);
    assert.equal(head.ChecksumSHA256, compositeSha256(parts));
    assert.equal(head.ChecksumType, 'COMPOSITE');

    // A range across the first part boundary reads from both parts.
    const ranged = await target.client.send(
      new GetObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Range: `bytes=${String(5 * MiB - 10)}-${String(5 * MiB + 9)}`,
      }),
    );
    assert.ok(
      Buffer.from(await ranged.Body!.transformToByteArray()).equals(
        Buffer.concat(parts).subarray(5 * MiB - 10, 5 * MiB + 10),
      ),
    );

    const after = await target.client.send(
      new ListMultipartUploadsCommand({ Bucket: target.bucket }),
    );
    assert.ok(!(after.Uploads ?? []).some((u) => u.UploadId === uploadId), 'upload is gone');
    const again = await sdkRejection(
      target.client.send(
        new ListPartsCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId }),
      ),
    );
    assert.deepEqual(again, { status: 404, code: 'NoSuchUpload' });
  });

  it('a re-uploaded part replaces the earlier one', async () => {
    const key = uniqueKey('mpu/replace');
    const uploadId = await create(key);
    await putPart(key, uploadId, 1, randomBytes(2000));
    const final = randomBytes(3000);
    await putPart(key, uploadId, 1, final);
    const listed = await listParts(key, uploadId);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.ETag, `"${md5Hex(final)}"`);
    await complete(key, uploadId, listed);
    const got = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(final));
  });

  it('refuses a part whose bytes do not match its signed SHA-256 with BadDigest', async () => {
    const key = uniqueKey('mpu/baddigest');
    const uploadId = await create(key);
    const intended = randomBytes(4096);
    const req = await presignPart(target, key, uploadId, 1, intended);
    const res = await upload(req, randomBytes(4096));
    assert.deepEqual(await failure(res), { status: 400, code: 'BadDigest' });
    assert.deepEqual(await listParts(key, uploadId), []);
  });

  it('refuses to complete when a part other than the last is under 5 MiB', async () => {
    const key = uniqueKey('mpu/small');
    const uploadId = await create(key);
    await putPart(key, uploadId, 1, randomBytes(1024));
    await putPart(key, uploadId, 2, randomBytes(1024));
    const err = await sdkRejection(complete(key, uploadId, await listParts(key, uploadId)));
    assert.deepEqual(err, { status: 400, code: 'EntityTooSmall' });
    assert.equal(await headStatus(target, key), 404);
  });

  it('refuses to complete with an unknown ETag or out-of-order parts', async () => {
    const key = uniqueKey('mpu/invalid');
    const uploadId = await create(key);
    await putPart(key, uploadId, 1, randomBytes(5 * MiB));
    await putPart(key, uploadId, 2, randomBytes(10));
    const listed = await listParts(key, uploadId);

    const wrongEtag = listed.map((p, i) => (i === 1 ? { ...p, ETag: `"${'0'.repeat(32)}"` } : p));
    assert.deepEqual(await sdkRejection(complete(key, uploadId, wrongEtag)), {
      status: 400,
      code: 'InvalidPart',
    });
    assert.deepEqual(await sdkRejection(complete(key, uploadId, [...listed].reverse())), {
      status: 400,
      code: 'InvalidPartOrder',
    });
    assert.equal(await headStatus(target, key), 404);
  });

  it('abort discards the upload: ListParts and further parts get NoSuchUpload', async () => {
    const key = uniqueKey('mpu/abort');
    const uploadId = await create(key);
    await putPart(key, uploadId, 1, randomBytes(1000));
    await target.client.send(
      new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId }),
    );

    const listed = await sdkRejection(
      target.client.send(
        new ListPartsCommand({ Bucket: target.bucket, Key: key, UploadId: uploadId }),
      ),
    );
    assert.deepEqual(listed, { status: 404, code: 'NoSuchUpload' });

    const body = randomBytes(1000);
    const res = await upload(await presignPart(target, key, uploadId, 2, body), body);
    assert.deepEqual(await failure(res), { status: 404, code: 'NoSuchUpload' });

    const uploads = await target.client.send(
      new ListMultipartUploadsCommand({ Bucket: target.bucket }),
    );
    assert.ok(!(uploads.Uploads ?? []).some((u) => u.UploadId === uploadId));
    assert.equal(await headStatus(target, key), 404);
  });

  it('ListMultipartUploads filters by prefix and dates each upload', async () => {
    const mine = await create('mpu/listed/one.bin');
    const other = await create('mpu/elsewhere/two.bin');
    const out = await target.client.send(
      new ListMultipartUploadsCommand({ Bucket: target.bucket, Prefix: 'mpu/listed/' }),
    );
    const uploads = out.Uploads ?? [];
    assert.deepEqual(
      uploads.map((u) => [u.Key, u.UploadId]),
      [['mpu/listed/one.bin', mine]],
    );
    assert.ok(uploads[0]?.Initiated instanceof Date, 'Initiated is a date');
    assert.ok(Math.abs((uploads[0]?.Initiated?.getTime() ?? 0) - Date.now()) < 5 * 60_000);
    for (const [key, id] of [
      ['mpu/listed/one.bin', mine],
      ['mpu/elsewhere/two.bin', other],
    ] as const) {
      await target.client.send(
        new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: key, UploadId: id }),
      );
    }
  });

  it('an unknown upload id gets NoSuchUpload', async () => {
    const err = await sdkRejection(
      target.client.send(
        new ListPartsCommand({
          Bucket: target.bucket,
          Key: 'mpu/none',
          UploadId: 'no-such-upload',
        }),
      ),
    );
    assert.deepEqual(err, { status: 404, code: 'NoSuchUpload' });
  });
});
