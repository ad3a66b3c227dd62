import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SigV4Presigner } from '../presign/sigv4-presigner.js';
import { BROWSER_SET_HEADERS } from '../presign/upload-headers.js';
import { storageCorsRules } from './cors-rules.js';

const SHA = 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=';

function repoFile(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return readFileSync(join(dir, name), 'utf8');
}

describe('storageCorsRules', () => {
  it('is the one rule browsers need: GET/PUT/HEAD, the upload headers, ETag exposed', () => {
    assert.deepEqual(storageCorsRules(['https://share.example.com']), [
      {
        AllowedOrigins: ['https://share.example.com'],
        AllowedMethods: ['GET', 'PUT', 'HEAD'],
        AllowedHeaders: ['content-type', 'x-amz-checksum-sha256', 'if-none-match'],
        ExposeHeaders: ['etag', 'x-amz-checksum-sha256'],
        MaxAgeSeconds: 600,
      },
    ]);
  });

  it('lists each origin once and refuses anything that is not an exact origin', () => {
    const [rule] = storageCorsRules([
      'http://localhost:3000',
      'http://localhost:3000',
      'https://a.example',
    ]);
    assert.deepEqual(rule?.AllowedOrigins, ['http://localhost:3000', 'https://a.example']);
    for (const bad of [
      'https://a.example/',
      'https://a.example/app',
      'https://*.example.com',
      '*',
      'null',
      '',
      'a.example',
    ]) {
      assert.throws(() => storageCorsRules([bad]), TypeError, bad);
    }
    assert.throws(() => storageCorsRules([]), TypeError);
  });

  it('allows every header a presigned upload or part binds that a browser may name', () => {
    const presigner = new SigV4Presigner({
      publicEndpoint: 'https://s3.example.com',
      region: 'eu-west-3',
      bucket: 'sharexpress',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    });
    const [rule] = storageCorsRules(['https://share.example.com']);
    const allowed = new Set(rule?.AllowedHeaders);
    const requests = [
      presigner.presignPut({
        key: 'k',
        contentLength: 1,
        contentType: 'image/png',
        sha256Base64: SHA,
        ifNoneMatch: true,
        expiresInSeconds: 60,
      }),
      presigner.presignUploadPart({
        key: 'k',
        uploadId: 'u',
        partNumber: 1,
        contentLength: 1,
        sha256Base64: SHA,
        expiresInSeconds: 60,
      }),
    ];
    for (const req of requests) {
      const signed = new URL(req.url).searchParams.get('X-Amz-SignedHeaders')?.split(';') ?? [];
      for (const name of [...signed, ...Object.keys(req.headers)]) {
        assert.ok(
          allowed.has(name) || BROWSER_SET_HEADERS.has(name),
          `${name} is signed but neither allowed by CORS nor set by the browser`,
        );
      }
    }
  });

  it('is what the README tells operators to apply on AWS', () => {
    const readme = repoFile('README.md');
    const json = /put-bucket-cors [^']*'([^']+)'/.exec(readme)?.[1];
    assert.ok(json, 'README shows an aws s3api put-bucket-cors command');
    const documented = JSON.parse(json) as { CORSRules: unknown };
    assert.deepEqual(documented.CORSRules, storageCorsRules(['https://share.example.com']));
  });

  it('docker-compose lets MinIO allow the same origin the API serves (PUBLIC_URL)', () => {
    const compose = repoFile('docker-compose.yml');
    const publicUrl = /^\s+PUBLIC_URL: (.+)$/m.exec(compose)?.[1];
    const minio = /^\s+MINIO_API_CORS_ALLOW_ORIGIN: (.+)$/m.exec(compose)?.[1];
    assert.ok(publicUrl && minio);
    assert.equal(minio, publicUrl);
  });
});
