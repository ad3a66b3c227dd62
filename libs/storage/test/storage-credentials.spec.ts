// Storage on temporary credentials that rotate within seconds, as IAM roles hand them out, against
// the devstack's S3 (which accepts its own temporary credentials and refuses them once expired,
// as S3 does): the client and presigned URLs move to new keys before the old ones expire.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startS3Server, type S3ServerHandle } from '@app/devstack';
import { createBucket, testS3Client } from '../../../test/support/s3-client.js';
import { RefreshingCredentials } from '../src/credentials/refreshing-credentials.js';
import type {
  SigningCredentials,
  StorageCredentials,
} from '../src/credentials/storage-credentials.js';
import { SigV4Presigner } from '../src/presign/sigv4-presigner.js';
import { createStorage, type Storage } from '../src/storage.factory.js';
import type { S3Settings } from '../src/s3-client.factory.js';
import { putWith, sha256Base64 } from './storage-fixtures.js';

// Each fetch gets credentials valid for 4 s: refreshed after 3 s, 1 s before they expire.
const LIFE_MS = 4000;

describe('storage on rotating temporary credentials', () => {
  let server: S3ServerHandle;
  let storage: Storage;
  let refreshing: RefreshingCredentials;
  const issued: StorageCredentials[] = [];
  // The key of every identity the S3 client asked for, in order.
  const clientUsed: string[] = [];
  const bucket = `sx-creds-${randomBytes(4).toString('hex')}`;

  before(async () => {
    server = await startS3Server();
    const admin = testS3Client(server);
    await createBucket(admin, bucket, server.region);
    admin.destroy();

    refreshing = new RefreshingCredentials(
      () => {
        const fresh = server.issueTemporaryCredentials(LIFE_MS);
        issued.push(fresh);
        return Promise.resolve(fresh);
      },
      { minimumValiditySeconds: 1, retryDelayMs: 100 },
    ).start();
    const observed: SigningCredentials = {
      provide: async (options) => {
        const credentials = await refreshing.provide(options);
        clientUsed.push(credentials.accessKeyId);
        return credentials;
      },
      current: () => refreshing.current(),
      retryAfterSeconds: () => refreshing.retryAfterSeconds(),
      close: () => refreshing.close(),
    };
    const settings: S3Settings = {
      endpoint: server.endpoint,
      publicEndpoint: server.endpoint,
      region: server.region,
      bucket,
      credentials: null,
      forcePathStyle: true,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 3000,
      maxAttempts: 1,
      breakerFailures: 5,
      breakerHalfOpenMs: 5000,
    };
    storage = createStorage(settings, {}, { credentials: observed });
  });
  after(async () => {
    storage?.close();
    await server?.stop();
  });

  const upload = async (key: string, body: Uint8Array, expiresInSeconds = 900) => {
    const put = storage.presigner.presignPut({
      key,
      contentLength: body.length,
      contentType: 'application/octet-stream',
      sha256Base64: sha256Base64(body),
      expiresInSeconds,
    });
    return { put, res: await putWith(put.url, put.headers, body) };
  };

  it('signs the client, uploads and downloads with the session token, and rotates ahead of expiry', async () => {
    await storage.service.headBucket();
    const first = issued[0];
    assert.ok(first?.expiration);
    assert.equal(clientUsed.at(-1), first.accessKeyId);

    const key = `files/${randomBytes(6).toString('hex')}`;
    const body = randomBytes(64);
    const { put, res } = await upload(key, body);
    assert.equal(res.status, 200, await res.text());
    const putUrl = new URL(put.url);
    assert.equal(putUrl.searchParams.get('X-Amz-Security-Token'), first.sessionToken);
    assert.match(
      putUrl.searchParams.get('X-Amz-Credential') ?? '',
      new RegExp(`^${first.accessKeyId}/`),
    );
    // Asked for 900 s, cut to what the credentials had left.
    assert.ok(put.expiresAt <= first.expiration);
    assert.ok(Number(putUrl.searchParams.get('X-Amz-Expires')) <= LIFE_MS / 1000);
    const get = storage.presigner.presignGet({ key, expiresInSeconds: 60 });
    assert.deepEqual(Buffer.from(await (await fetch(get.url)).arrayBuffer()), body);

    // A URL that outlives its credentials, as a presigner that ignores expiry would sign it.
    const careless = new SigV4Presigner({
      publicEndpoint: server.endpoint,
      region: server.region,
      bucket,
      forcePathStyle: true,
      credentials: {
        accessKeyId: first.accessKeyId,
        secretAccessKey: first.secretAccessKey,
        sessionToken: first.sessionToken,
      },
    }).presignGet({ key, expiresInSeconds: 900 });

    // Past three quarters of their life, before they expire: the next keys are in use.
    await sleep(first.expiration.getTime() - LIFE_MS / 4 - Date.now() + 300);
    assert.ok(Date.now() < first.expiration.getTime(), 'the machine was too slow for this test');
    const second = issued[1];
    assert.ok(second !== undefined && second.accessKeyId !== first.accessKeyId);
    assert.equal(refreshing.current()?.accessKeyId, second.accessKeyId);
    assert.ok(await storage.service.headObject(key));
    assert.equal(clientUsed.at(-1), second.accessKeyId);

    // The first credentials have expired: the server refuses them, the storage works on.
    await sleep(first.expiration.getTime() - Date.now() + 100);
    const refused = await fetch(careless.url);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /<Code>ExpiredToken<\/Code>/);
    assert.ok(await storage.service.headObject(key));
    const later = `files/${randomBytes(6).toString('hex')}`;
    const again = await upload(later, body);
    assert.equal(again.res.status, 200, await again.res.text());
    assert.doesNotMatch(again.put.url, new RegExp(first.accessKeyId));
  });
});
