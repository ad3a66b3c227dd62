import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DataFiles, readSegments } from './data-files.js';
import { startS3Server, type S3ServerHandle } from './index.js';

const MiB = 1024 * 1024;

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const c of chunks) all.push(c);
  return Buffer.concat(all);
}

describe('object data files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'data-files-spec-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads any range of the concatenated segments', async () => {
    const parts = [randomBytes(10), randomBytes(0), randomBytes(7), randomBytes(13)];
    const segments = await Promise.all(
      parts.map(async (p, i) => {
        const path = join(dir, `seg-${i}`);
        await writeFile(path, p);
        return { path, size: p.length };
      }),
    );
    const whole = Buffer.concat(parts);
    for (const [start, end] of [
      [0, whole.length - 1],
      [0, 0],
      [9, 10],
      [10, 16],
      [12, 29],
      [29, 29],
      [3, 2],
    ]) {
      assert.deepEqual(
        await collect(readSegments(segments, start, end)),
        whole.subarray(start, end + 1),
        `${start}-${end}`,
      );
    }
  });

  it('removes a pinned file only once its last reader lets go', async () => {
    const path = join(dir, 'pinned');
    await writeFile(path, 'x');
    const files = new DataFiles();
    const first = files.pin([path]);
    const second = files.pin([path]);
    await files.discard([path]);
    assert.ok(existsSync(path));
    first();
    first();
    assert.ok(existsSync(path), 'a second release of the same pin counts once');
    second();
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(!existsSync(path));
  });
});

/** Reads a response body, running `meanwhile` once the first chunk is in. */
async function readAll(res: Response, meanwhile: () => Promise<unknown>): Promise<Buffer> {
  assert.ok(res.body);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Buffer[] = [];
  for (let first = true; ; first = false) {
    const next = await reader.read();
    if (next.done) break;
    chunks.push(Buffer.from(next.value));
    if (first) await meanwhile();
  }
  return Buffer.concat(chunks);
}

describe('multipart objects keep their parts as data', () => {
  let dataDir: string;
  let s3: S3ServerHandle;
  let client: S3Client;
  const bucket = 'segments';

  const connect = () =>
    new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: s3.credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'segments-spec-'));
    s3 = await startS3Server({ dataDir });
    client = connect();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    client.destroy();
    await s3.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const objectsDir = () => join(dataDir, 'buckets', bucket, 'objects');
  const dataBytes = async (): Promise<number> => {
    let total = 0;
    for (const f of await readdir(objectsDir())) {
      if (f.endsWith('.data')) total += (await stat(join(objectsDir(), f))).size;
    }
    return total;
  };

  async function multipart(key: string, parts: Buffer[]): Promise<void> {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'SHA256' }),
    );
    const done = [];
    for (const [i, body] of parts.entries()) {
      const out = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: i + 1,
          Body: body,
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      done.push({ PartNumber: i + 1, ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256 });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: done },
      }),
    );
  }

  const bytesOf = async (key: string): Promise<Buffer> => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  };

  it('completing moves the parts instead of copying them, and survives a restart', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    const before = await dataBytes();
    await multipart('big', parts);
    assert.equal(await dataBytes(), before + 10 * MiB + 1234, 'one copy of the bytes on disk');
    assert.deepEqual(await readdir(join(dataDir, 'buckets', bucket, 'uploads')), []);
    assert.ok((await bytesOf('big')).equals(Buffer.concat(parts)));

    client.destroy();
    await s3.stop();
    s3 = await startS3Server({ dataDir, credentials: s3.credentials });
    client = connect();
    assert.ok((await bytesOf('big')).equals(Buffer.concat(parts)));
    const ranged = await client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: 'big',
        Range: `bytes=${5 * MiB - 3}-${10 * MiB + 2}`,
      }),
    );
    assert.ok(
      Buffer.from(await ranged.Body!.transformToByteArray()).equals(
        Buffer.concat(parts).subarray(5 * MiB - 3, 10 * MiB + 3),
      ),
    );
  });

  it('a download in flight reads to the end although the object is deleted meanwhile', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB)];
    await multipart('deleted', parts);
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: bucket, Key: 'deleted' }),
    );
    const body = await readAll(await fetch(url), () =>
      client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'deleted' })),
    );
    assert.ok(body.equals(Buffer.concat(parts)));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await dataBytes(), 10 * MiB + 1234, "only 'big' is left on disk");
  });

  it('an overwrite during a download leaves the download whole', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB)];
    await multipart('replaced', parts);
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: bucket, Key: 'replaced' }),
    );
    const body = await readAll(await fetch(url), () =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: 'replaced', Body: 'new' })),
    );
    assert.ok(body.equals(Buffer.concat(parts)));
    assert.equal((await bytesOf('replaced')).toString(), 'new');
  });
});
