// Temporary credentials (STS, IAM roles): requests and presigned URLs carry the session token, and
// S3 refuses a temporary key without it, another token, one appended after signing, and (devstack
// only: STS credentials live at least 15 minutes) an expired one.
//
// Against real S3 (S3_ENDPOINT, see support.ts) it needs temporary credentials of the same account,
// e.g. from `aws sts get-session-token`: S3_STS_ACCESS_KEY_ID, S3_STS_SECRET_ACCESS_KEY and
// S3_STS_SESSION_TOKEN; without them it is skipped.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SigV4Presigner, type PresignedRequest } from '@app/storage';
import { createBucket } from '../../../../test/support/s3-client.js';
import { startS3Server, type TemporaryS3Credentials } from '../../src/s3/index.js';
import {
  failure,
  openTarget,
  sdkRejection,
  sha256Base64,
  uniqueKey,
  usingRealS3,
  type Credentials,
} from './support.js';

interface Temporary {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

function stsFromEnv(): Temporary | undefined {
  const accessKeyId = process.env.S3_STS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = process.env.S3_STS_SECRET_ACCESS_KEY?.trim();
  const sessionToken = process.env.S3_STS_SESSION_TOKEN?.trim();
  if (!accessKeyId || !secretAccessKey || !sessionToken) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken };
}

const fromEnv = stsFromEnv();
const skip =
  usingRealS3 && fromEnv === undefined
    ? 'real S3 without S3_STS_ACCESS_KEY_ID, S3_STS_SECRET_ACCESS_KEY and S3_STS_SESSION_TOKEN'
    : false;

interface Setup {
  endpoint: string;
  region: string;
  bucket: string;
  temporary: Temporary;
  /** Devstack only: temporary credentials that expire after `ttlMs`. */
  issue?: (ttlMs: number) => TemporaryS3Credentials;
  close(): Promise<void>;
}

async function open(): Promise<Setup> {
  if (usingRealS3) {
    const target = await openTarget('sts');
    return { ...target, temporary: fromEnv!, close: () => target.close() };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-s3-sts-'));
  const server = await startS3Server({ dataDir });
  const bucket = `sx-conf-sts-${randomBytes(4).toString('hex')}`;
  const admin = clientWith(server.endpoint, server.region, server.credentials);
  await createBucket(admin, bucket, server.region);
  admin.destroy();
  return {
    endpoint: server.endpoint,
    region: server.region,
    bucket,
    temporary: server.issueTemporaryCredentials(60 * 60_000),
    issue: (ttlMs) => server.issueTemporaryCredentials(ttlMs),
    close: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function clientWith(endpoint: string, region: string, credentials: Credentials): S3Client {
  return new S3Client({
    endpoint,
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

function put(req: PresignedRequest, body: Uint8Array): Promise<Response> {
  const headers = { ...req.headers };
  delete headers['content-length'];
  return fetch(req.url, { method: 'PUT', headers, body });
}

describe('temporary credentials and their session token', { skip }, () => {
  let s3: Setup;
  before(async () => {
    s3 = await open();
  });
  after(() => s3?.close());

  const presigner = (credentials: Credentials) =>
    new SigV4Presigner({
      publicEndpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      forcePathStyle: true,
      credentials,
    });
  const signPut = (credentials: Credentials, key: string, body: Uint8Array) =>
    presigner(credentials).presignPut({
      key,
      contentLength: body.byteLength,
      contentType: 'application/octet-stream',
      sha256Base64: sha256Base64(body),
      expiresInSeconds: 300,
    });

  it('header-signed requests and presigned URLs with the token work', async () => {
    const client = clientWith(s3.endpoint, s3.region, s3.temporary);
    try {
      const key = uniqueKey('sts/sdk');
      const body = randomBytes(100);
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);

      const presignedKey = uniqueKey('sts/presigned');
      const req = signPut(s3.temporary, presignedKey, body);
      assert.equal(
        new URL(req.url).searchParams.get('X-Amz-Security-Token'),
        s3.temporary.sessionToken,
      );
      const res = await put(req, body);
      assert.equal(res.status, 200, await res.text());
      const get = presigner(s3.temporary).presignGet({ key: presignedKey, expiresInSeconds: 60 });
      assert.deepEqual(Buffer.from(await (await fetch(get.url)).arrayBuffer()), body);
    } finally {
      client.destroy();
    }
  });

  it('a temporary key without its token is unknown: 403 InvalidAccessKeyId', async () => {
    const keyOnly = {
      accessKeyId: s3.temporary.accessKeyId,
      secretAccessKey: s3.temporary.secretAccessKey,
    };
    const body = randomBytes(10);
    const res = await put(signPut(keyOnly, uniqueKey('sts/no-token'), body), body);
    assert.deepEqual(await failure(res), { status: 403, code: 'InvalidAccessKeyId' });

    const client = clientWith(s3.endpoint, s3.region, keyOnly);
    try {
      const refused = await sdkRejection(
        client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'sts/anything' })),
      );
      assert.deepEqual(refused, { status: 403, code: 'InvalidAccessKeyId' });
    } finally {
      client.destroy();
    }
  });

  it('another token is 400 InvalidToken', async () => {
    const token = s3.temporary.sessionToken;
    const mangled = { ...s3.temporary, sessionToken: `${token.slice(0, -24)}${'A'.repeat(24)}` };
    const body = randomBytes(10);
    const res = await put(signPut(mangled, uniqueKey('sts/other-token'), body), body);
    assert.deepEqual(await failure(res), { status: 400, code: 'InvalidToken' });
  });

  it('a token added to the URL after signing breaks the signature: 403', async () => {
    const { accessKeyId, secretAccessKey, sessionToken } = s3.temporary;
    const body = randomBytes(10);
    const req = signPut({ accessKeyId, secretAccessKey }, uniqueKey('sts/unsigned-token'), body);
    const url = `${req.url}&X-Amz-Security-Token=${encodeURIComponent(sessionToken)}`;
    const res = await put({ ...req, url }, body);
    assert.deepEqual(await failure(res), { status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('once the credentials expire, a URL they signed is 400 ExpiredToken, however long it was to live', async (t) => {
    if (s3.issue === undefined) {
      t.skip('STS credentials live at least 15 minutes');
      return;
    }
    const shortLived = s3.issue(1500);
    const key = uniqueKey('sts/expiring');
    const body = randomBytes(10);
    assert.equal((await put(signPut(shortLived, key, body), body)).status, 200);
    const get = presigner(shortLived).presignGet({ key, expiresInSeconds: 3600 });
    assert.equal((await fetch(get.url)).status, 200);

    await sleep(shortLived.expiration.getTime() - Date.now() + 100);
    assert.deepEqual(await failure(await fetch(get.url)), { status: 400, code: 'ExpiredToken' });
    const client = clientWith(s3.endpoint, s3.region, shortLived);
    try {
      const refused = await sdkRejection(
        client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key })),
      );
      assert.deepEqual(refused, { status: 400, code: 'ExpiredToken' });
    } finally {
      client.destroy();
    }
  });
});
