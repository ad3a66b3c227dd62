// CompleteMultipartUpload and full-object checksums through the stock SDK: the header on Complete
// describes the assembled object, not the XML body it travels with.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { checksumOf, type ChecksumAlgorithm } from './checksums.js';
import { startS3Server, type S3ServerHandle } from './index.js';

describe('multipart full-object checksums', () => {
  let s3: S3ServerHandle;
  let client: S3Client;

  before(async () => {
    s3 = await startS3Server();
    client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: s3.credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await client.send(new CreateBucketCommand({ Bucket: 'multipart' }));
  });

  after(async () => {
    client.destroy();
    await s3.stop();
  });

  async function upload(
    key: string,
    algorithm: ChecksumAlgorithm,
    whole: string,
  ): Promise<string | undefined> {
    const a = Buffer.alloc(5 * 1024 * 1024, 1);
    const b = Buffer.from('tail');
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: 'multipart',
        Key: key,
        ChecksumAlgorithm: algorithm,
        ChecksumType: 'FULL_OBJECT',
      }),
    );
    const parts = [];
    for (const [i, body] of [a, b].entries()) {
      const part = await client.send(
        new UploadPartCommand({
          Bucket: 'multipart',
          Key: key,
          UploadId,
          PartNumber: i + 1,
          Body: body,
          ChecksumAlgorithm: algorithm,
        }),
      );
      parts.push({ PartNumber: i + 1, ETag: part.ETag });
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'multipart',
        Key: key,
        UploadId,
        ChecksumType: 'FULL_OBJECT',
        ...(algorithm === 'CRC64NVME' ? { ChecksumCRC64NVME: whole } : { ChecksumCRC32: whole }),
        MultipartUpload: { Parts: parts },
      }),
    );
    return algorithm === 'CRC64NVME' ? done.ChecksumCRC64NVME : done.ChecksumCRC32;
  }

  for (const algorithm of ['CRC64NVME', 'CRC32'] as const) {
    it(`verifies a ${algorithm} full-object checksum on Complete against the assembled bytes`, async () => {
      const whole = checksumOf(
        algorithm,
        Buffer.concat([Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('tail')]),
      );
      assert.equal(await upload(`good-${algorithm}`, algorithm, whole), whole);
      const head = await client.send(
        new HeadObjectCommand({
          Bucket: 'multipart',
          Key: `good-${algorithm}`,
          ChecksumMode: 'ENABLED',
        }),
      );
      assert.equal(head.ChecksumType, 'FULL_OBJECT');
      assert.equal(algorithm === 'CRC64NVME' ? head.ChecksumCRC64NVME : head.ChecksumCRC32, whole);
    });
  }

  it('serves a multipart object part by part (partNumber), with the part count', async () => {
    const whole = checksumOf(
      'CRC32',
      Buffer.concat([Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('tail')]),
    );
    await upload('parts', 'CRC32', whole);
    const first = await client.send(
      new HeadObjectCommand({ Bucket: 'multipart', Key: 'parts', PartNumber: 1 }),
    );
    assert.equal(first.ContentLength, 5 * 1024 * 1024);
    assert.equal(first.PartsCount, 2);
    const second = await client.send(
      new GetObjectCommand({ Bucket: 'multipart', Key: 'parts', PartNumber: 2 }),
    );
    assert.equal(await second.Body?.transformToString(), 'tail');
    assert.equal(
      second.ContentRange,
      `bytes ${5 * 1024 * 1024}-${5 * 1024 * 1024 + 3}/${5 * 1024 * 1024 + 4}`,
    );
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: 'multipart', Key: 'parts', PartNumber: 3 })),
      (e: Error) => e.name === 'InvalidPartNumber',
    );
  });

  it('refuses a wrong full-object checksum on Complete with BadDigest and stores nothing', async () => {
    const wrong = checksumOf('CRC64NVME', Buffer.from('something else'));
    await assert.rejects(upload('bad', 'CRC64NVME', wrong), (e: Error) => e.name === 'BadDigest');
    await assert.rejects(
      client.send(new HeadObjectCommand({ Bucket: 'multipart', Key: 'bad' })),
      (e: Error) => e.name === 'NotFound',
    );
  });
});
