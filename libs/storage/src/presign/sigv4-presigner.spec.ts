import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SigV4Presigner } from './sigv4-presigner.js';
import { SigV4QuerySigner } from './sigv4-query-signer.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const fixedDate = new Date('2026-01-02T03:04:05.678Z');
const sha = 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=';

function setup(endpoint: string, forcePathStyle: boolean) {
  const client = new S3Client({
    region: 'eu-west-3',
    endpoint,
    forcePathStyle,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const presigner = new SigV4Presigner({
    publicEndpoint: endpoint,
    region: 'eu-west-3',
    bucket: 'sharexpress',
    forcePathStyle,
    credentials,
    now: () => fixedDate,
  });
  return { client, presigner };
}

// By default the SDK hoists x-amz-* headers into the query and leaves content-type unsigned;
// we bind both as headers so the client must send exactly what was declared.
// (Parts carry no content type of their own, so theirs stays unsigned.)
const sdkOptions = (expiresIn: number, bindContentType = true) => ({
  expiresIn,
  signingDate: fixedDate,
  unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
  signableHeaders: new Set(bindContentType ? ['content-type'] : []),
});

describe('SigV4Presigner matches the SDK presigner (fixed clock)', () => {
  for (const [label, endpoint, pathStyle] of [
    ['path-style', 'http://127.0.0.1:9000', true],
    ['virtual-hosted', 'https://s3.example.com', false],
  ] as const) {
    describe(label, () => {
      const { client, presigner } = setup(endpoint, pathStyle);

      for (const key of ['files/abc123', 'a/b c~.txt', "odd/!'()*&=+,;ü€.bin"]) {
        it(`PUT ${JSON.stringify(key)} with If-None-Match`, async () => {
          const ours = presigner.presignPut({
            key,
            contentLength: 5,
            contentType: 'text/plain',
            sha256Base64: sha,
            expiresInSeconds: 300,
            ifNoneMatch: true,
          });
          const sdk = await getSignedUrl(
            client,
            new PutObjectCommand({
              Bucket: 'sharexpress',
              Key: key,
              ContentLength: 5,
              ContentType: 'text/plain',
              ChecksumSHA256: sha,
              IfNoneMatch: '*',
            }),
            sdkOptions(300),
          );
          assert.equal(ours.url, sdk);
          assert.deepEqual(ours.headers, {
            'content-length': '5',
            'content-type': 'text/plain',
            'x-amz-checksum-sha256': sha,
            'if-none-match': '*',
          });
          assert.equal(ours.expiresAt.toISOString(), '2026-01-02T03:09:05.000Z');
        });
      }

      it('PUT without If-None-Match does not sign it', async () => {
        const ours = presigner.presignPut({
          key: 'k',
          contentLength: 0,
          contentType: 'application/octet-stream',
          sha256Base64: sha,
          expiresInSeconds: 60,
        });
        const sdk = await getSignedUrl(
          client,
          new PutObjectCommand({
            Bucket: 'sharexpress',
            Key: 'k',
            ContentLength: 0,
            ContentType: 'application/octet-stream',
            ChecksumSHA256: sha,
          }),
          sdkOptions(60),
        );
        assert.equal(ours.url, sdk);
        assert.equal(ours.headers['if-none-match'], undefined);
      });

      it('GET with response overrides', async () => {
        const disposition = `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`;
        const ours = presigner.presignGet({
          key: 'files/x',
          expiresInSeconds: 30,
          responseContentDisposition: disposition,
          responseContentType: 'application/pdf',
        });
        const sdk = await getSignedUrl(
          client,
          new GetObjectCommand({
            Bucket: 'sharexpress',
            Key: 'files/x',
            ResponseContentDisposition: disposition,
            ResponseContentType: 'application/pdf',
          }),
          sdkOptions(30),
        );
        assert.equal(ours.url, sdk);
        assert.deepEqual(ours.headers, {});
      });

      for (const withSha of [false, true]) {
        it(`UploadPart ${withSha ? 'with' : 'without'} checksum`, async () => {
          const ours = presigner.presignUploadPart({
            key: 'files/big',
            uploadId: 'VXBsb2FkIElE+/=',
            partNumber: 7,
            contentLength: 5_242_880,
            sha256Base64: withSha ? sha : undefined,
            expiresInSeconds: 900,
          });
          const sdk = await getSignedUrl(
            client,
            new UploadPartCommand({
              Bucket: 'sharexpress',
              Key: 'files/big',
              UploadId: 'VXBsb2FkIElE+/=',
              PartNumber: 7,
              ContentLength: 5_242_880,
              ChecksumSHA256: withSha ? sha : undefined,
            }),
            sdkOptions(900, false),
          );
          assert.equal(ours.url, sdk);
        });
      }
    });
  }
});

describe('SigV4Presigner input checks', () => {
  const { presigner } = setup('http://127.0.0.1:9000', true);
  const put = {
    key: 'k',
    contentLength: 1,
    contentType: 'a/b',
    sha256Base64: sha,
    expiresInSeconds: 60,
  };

  it('rejects a malformed checksum, a negative length and an out-of-range expiry', () => {
    assert.throws(() => presigner.presignPut({ ...put, sha256Base64: 'abc' }), /sha256Base64/);
    assert.throws(() => presigner.presignPut({ ...put, contentLength: -1 }), /contentLength/);
    assert.throws(() => presigner.presignPut({ ...put, expiresInSeconds: 0 }), /expiresInSeconds/);
    assert.throws(
      () => presigner.presignPut({ ...put, expiresInSeconds: 604_801 }),
      /expiresInSeconds/,
    );
    assert.throws(() => presigner.presignPut({ ...put, key: '' }), /key/);
  });

  it('rejects part numbers outside 1..10000', () => {
    const part = { key: 'k', uploadId: 'u', contentLength: 1, expiresInSeconds: 60 };
    assert.throws(() => presigner.presignUploadPart({ ...part, partNumber: 0 }), /partNumber/);
    assert.throws(() => presigner.presignUploadPart({ ...part, partNumber: 10_001 }), /partNumber/);
  });

  it('signs with the clock at call time, a new day gets a new signing key', () => {
    let now = new Date('2026-01-02T23:59:59Z');
    const p = new SigV4Presigner({
      publicEndpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-3',
      bucket: 'sharexpress',
      forcePathStyle: true,
      credentials,
      now: () => now,
    });
    const a = new URL(p.presignGet({ key: 'k', expiresInSeconds: 60 }).url);
    now = new Date('2026-01-03T00:00:01Z');
    const b = new URL(p.presignGet({ key: 'k', expiresInSeconds: 60 }).url);
    assert.match(a.searchParams.get('X-Amz-Credential') ?? '', /\/20260102\//);
    assert.match(b.searchParams.get('X-Amz-Credential') ?? '', /\/20260103\//);
    assert.notEqual(a.searchParams.get('X-Amz-Signature'), b.searchParams.get('X-Amz-Signature'));
  });
});

describe('SigV4QuerySigner input checks', () => {
  const signer = new SigV4QuerySigner('127.0.0.1:9000', 'us-east-1');
  const base = {
    method: 'GET' as const,
    path: '/b/k',
    query: {},
    headers: {},
    expiresInSeconds: 60,
    date: fixedDate,
  };

  it('refuses parameters that would collide with or sort among the X-Amz-* ones', () => {
    assert.throws(
      () => signer.sign({ ...base, query: { 'X-Amz-Expires': '1' } }, credentials),
      /parameter/,
    );
    assert.throws(() => signer.sign({ ...base, query: { Zed: '1' } }, credentials), /parameter/);
  });

  it('refuses uppercase or host headers, which would sign something other than intended', () => {
    assert.throws(
      () => signer.sign({ ...base, headers: { 'Content-Type': 'a/b' } }, credentials),
      /lowercase/,
    );
    assert.throws(() => signer.sign({ ...base, headers: { host: 'evil' } }, credentials), /host/);
  });
});
