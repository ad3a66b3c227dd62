// The presigner with temporary credentials: the session token is signed in as the SDK signs it,
// a URL never outlives the credentials, and rotated credentials are used at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SigningCredentials, StorageCredentials } from '../credentials/storage-credentials.js';
import { StorageUnavailableError } from '../errors/storage-errors.js';
import { SigV4Presigner } from './sigv4-presigner.js';

const fixedDate = new Date('2026-01-02T03:04:05.678Z');
const sha = 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=';
// Real session tokens are long base64, with the characters URLs must encode.
const temporary = (n: number, expiration?: Date): StorageCredentials => ({
  accessKeyId: `ASIATEMP${String(n)}`,
  secretAccessKey: `temp/secret+${String(n)}`,
  sessionToken: `IQoJb3JpZ2luX2VjE+token/${String(n)}==`,
  ...(expiration === undefined ? {} : { expiration }),
});

/** SigningCredentials whose current value the test sets. */
function switchable(initial: StorageCredentials | undefined) {
  let held = initial;
  const credentials: SigningCredentials = {
    provide: () => (held ? Promise.resolve(held) : Promise.reject(new Error('none'))),
    current: () => held,
    retryAfterSeconds: () => 7,
    close: () => undefined,
  };
  return { credentials, set: (c: StorageCredentials | undefined) => (held = c) };
}

const presignerWith = (credentials: SigningCredentials | StorageCredentials) =>
  new SigV4Presigner({
    publicEndpoint: 'http://127.0.0.1:9000',
    region: 'eu-west-3',
    bucket: 'sharexpress',
    forcePathStyle: true,
    credentials,
    now: () => fixedDate,
  });

const sdkClient = (credentials: StorageCredentials) =>
  new S3Client({
    region: 'eu-west-3',
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

const sdkOptions = (expiresIn: number) => ({
  expiresIn,
  signingDate: fixedDate,
  unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
  signableHeaders: new Set(['content-type']),
});

const put = (expiresInSeconds: number) => ({
  key: 'files/a b',
  contentLength: 5,
  contentType: 'text/plain',
  sha256Base64: sha,
  expiresInSeconds,
  ifNoneMatch: true,
});

const sdkPut = (credentials: StorageCredentials, expiresIn: number) =>
  getSignedUrl(
    sdkClient(credentials),
    new PutObjectCommand({
      Bucket: 'sharexpress',
      Key: 'files/a b',
      ContentLength: 5,
      ContentType: 'text/plain',
      ChecksumSHA256: sha,
      IfNoneMatch: '*',
    }),
    sdkOptions(expiresIn),
  );

describe('SigV4Presigner with temporary credentials', () => {
  it('signs the session token in, byte for byte as the SDK does (PUT and GET)', async () => {
    const creds = temporary(1);
    const presigner = presignerWith(creds);
    const ours = presigner.presignPut(put(300));
    assert.equal(ours.url, await sdkPut(creds, 300));
    const url = new URL(ours.url);
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), creds.sessionToken);

    const get = presigner.presignGet({
      key: 'files/x',
      expiresInSeconds: 60,
      responseContentDisposition: 'attachment; filename="x.txt"',
    });
    const sdkGet = await getSignedUrl(
      sdkClient(creds),
      new GetObjectCommand({
        Bucket: 'sharexpress',
        Key: 'files/x',
        ResponseContentDisposition: 'attachment; filename="x.txt"',
      }),
      sdkOptions(60),
    );
    assert.equal(get.url, sdkGet);
  });

  it('never lets a URL outlive the credentials that signed it', async () => {
    // 100.9 s left from X-Amz-Date (03:04:05): the URL gets 100 s, ending before they do.
    const expiration = new Date(Date.parse('2026-01-02T03:04:05Z') + 100_900);
    const creds = temporary(1, expiration);
    const presigner = presignerWith(switchable(creds).credentials);
    const capped = presigner.presignPut(put(900));
    assert.equal(new URL(capped.url).searchParams.get('X-Amz-Expires'), '100');
    assert.equal(capped.expiresAt.toISOString(), '2026-01-02T03:05:45.000Z');
    assert.ok(capped.expiresAt <= expiration);
    // The SDK signs the same URL for the same lifetime.
    assert.equal(capped.url, await sdkPut(creds, 100));
    // Shorter requests are left alone.
    assert.equal(
      new URL(presigner.presignPut(put(60)).url).searchParams.get('X-Amz-Expires'),
      '60',
    );
  });

  it('signs with rotated credentials at once: new key, new token, new signing key', async () => {
    const { credentials, set } = switchable(temporary(1));
    const presigner = presignerWith(credentials);
    const before = presigner.presignPut(put(300));
    set(temporary(2));
    const after = presigner.presignPut(put(300));
    assert.match(new URL(after.url).searchParams.get('X-Amz-Credential') ?? '', /^ASIATEMP2\//);
    assert.equal(after.url, await sdkPut(temporary(2), 300));
    assert.notEqual(before.url, after.url);
  });

  it('refuses to sign without usable credentials: 503 with the refresher’s Retry-After', () => {
    const presigner = presignerWith(switchable(undefined).credentials);
    const err = (() => {
      try {
        presigner.presignGet({ key: 'k', expiresInSeconds: 60 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof StorageUnavailableError);
    assert.equal(err.code, 'STORAGE_UNAVAILABLE');
    assert.equal(err.retryAfterSeconds, 7);
  });

  it('signs long-term keys without a token, as before', () => {
    const presigner = presignerWith({ accessKeyId: 'AKID', secretAccessKey: 's' });
    const url = new URL(presigner.presignGet({ key: 'k', expiresInSeconds: 60 }).url);
    assert.equal(url.searchParams.has('X-Amz-Security-Token'), false);
  });
});
