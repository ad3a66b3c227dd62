// Shared harness for the S3 conformance suite. By default every spec file starts its own devstack
// S3 server on a free loopback port with a throwaway data directory. With S3_ENDPOINT,
// S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (and optionally S3_REGION) set, the same specs run
// against a real S3 or MinIO, in a uniquely named bucket that is emptied and removed at the end,
// so the suite itself can be checked against the behaviour it claims to test.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createBucket, externalS3, testS3Client } from '../../../../test/support/s3-client.js';
import { startS3Server } from '../../src/s3/index.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const external = externalS3();

/** True when the suite runs against a real S3/MinIO given by S3_ENDPOINT. */
export const usingRealS3 = external !== undefined;

/** The client settings the product uses (libs/storage), so the suite sees what it will see. */
export const productClient = (
  endpoint: string,
  region: string,
  credentials: Credentials,
): S3Client => testS3Client({ endpoint, region, credentials });

export interface Target {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: Credentials;
  /** Unique bucket for this spec file, created by openTarget(). */
  readonly bucket: string;
  readonly client: S3Client;
  /** Path-style URL of a key (each segment percent-encoded), without query. */
  objectUrl(key: string): string;
  /** Empties and deletes the bucket (real S3) and stops the devstack. */
  close(): Promise<void>;
}

/** Starts (or connects to) the S3 server under test for one spec file and creates a bucket. */
export async function openTarget(topic: string): Promise<Target> {
  const bucket = `sx-conf-${topic}-${randomBytes(4).toString('hex')}`;
  let endpoint = external?.endpoint ?? '';
  let region = external?.region ?? 'us-east-1';
  let credentials: Credentials = external?.credentials ?? { accessKeyId: '', secretAccessKey: '' };
  let stopServer = async (): Promise<void> => {};
  if (external === undefined) {
    const dataDir = await mkdtemp(join(tmpdir(), 'sx-s3-conf-'));
    const server = await startS3Server({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      region: 'us-east-1',
      credentials: {
        accessKeyId: `AKCONF${randomBytes(6).toString('hex').toUpperCase()}`,
        secretAccessKey: randomBytes(20).toString('base64url'),
      },
    });
    ({ endpoint, region, credentials } = server);
    stopServer = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const client = productClient(endpoint, region, credentials);
  try {
    await createBucket(client, bucket, region);
  } catch (err) {
    client.destroy();
    await stopServer();
    throw err;
  }
  return {
    endpoint,
    region,
    credentials,
    bucket,
    client,
    objectUrl: (key) => `${endpoint}/${bucket}/${key.split('/').map(encodeRfc3986).join('/')}`,
    async close() {
      if (usingRealS3) await emptyAndDeleteBucket(client, bucket);
      client.destroy();
      await stopServer();
    },
  };
}

async function emptyAndDeleteBucket(client: S3Client, bucket: string): Promise<void> {
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const u of uploads.Uploads ?? []) {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
    );
  }
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
    if (keys.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** encodeURIComponent plus the characters RFC 3986 reserves, as SigV4 canonical URIs expect. */
export function encodeRfc3986(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export const sha256Base64 = (data: Uint8Array): string =>
  createHash('sha256').update(data).digest('base64');

export const md5Hex = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

/** A key no other test uses. */
export const uniqueKey = (prefix: string): string =>
  `${prefix}/${randomBytes(6).toString('hex')}.bin`;

/** The `<Code>` of an S3 XML error document, or undefined when the body is not one. */
export function errorCodeOf(xml: string): string | undefined {
  return /<Error>[\s\S]*?<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

/** Status and error code of a fetch response; consumes the body. */
export async function failure(res: Response): Promise<{ status: number; code?: string }> {
  return { status: res.status, code: errorCodeOf(await res.text()) };
}

/** HTTP status and S3 error code carried by an SDK exception. */
export function sdkFailure(err: unknown): { status?: number; code?: string } {
  const e = err as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
  const code = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : '';
  return { status: e.$metadata?.httpStatusCode, code };
}

/** Awaits `promise` and returns the SDK error it rejects with; fails if it resolves. */
export async function sdkRejection(
  promise: Promise<unknown>,
): Promise<{ status?: number; code?: string }> {
  try {
    await promise;
  } catch (err) {
    return sdkFailure(err);
  }
  throw new Error('expected the S3 call to fail, but it succeeded');
}

/** 200 when the key exists, 404 when it does not (any other failure is rethrown). */
export async function headStatus(target: Target, key: string): Promise<number> {
  try {
    await target.client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }));
    return 200;
  } catch (err) {
    const { status } = sdkFailure(err);
    if (status === 404) return 404;
    throw err;
  }
}
