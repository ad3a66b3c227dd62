import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presignedUrlOrigin } from './public-origin.js';
import { SigV4Presigner } from './sigv4-presigner.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

// Each case: the settings, and the origin the browser talks to for them.
const CASES = [
  ['path-style devstack', 'http://127.0.0.1:9000', true, 'http://127.0.0.1:9000'],
  [
    'path-style with a base path',
    'https://minio.example.com/s3/',
    true,
    'https://minio.example.com',
  ],
  [
    'virtual-hosted AWS',
    'https://s3.eu-west-3.amazonaws.com',
    false,
    'https://sx-files.s3.eu-west-3.amazonaws.com',
  ],
  [
    'virtual-hosted with a port',
    'http://storage.local:8333',
    false,
    'http://sx-files.storage.local:8333',
  ],
  ['default port dropped', 'https://S3.Example.com:443', true, 'https://s3.example.com'],
] as const;

describe('presignedUrlOrigin', () => {
  for (const [label, publicEndpoint, forcePathStyle, expected] of CASES) {
    it(`${label}: ${expected}, the origin of the presigner's own URLs`, () => {
      const options = { publicEndpoint, bucket: 'sx-files', forcePathStyle };
      assert.equal(presignedUrlOrigin(options), expected);
      const presigner = new SigV4Presigner({ ...options, region: 'eu-west-3', credentials });
      const put = presigner.presignPut({
        key: 'sessions/s/files/f',
        contentLength: 1,
        contentType: 'text/plain',
        sha256Base64: 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=',
        expiresInSeconds: 60,
      });
      assert.equal(new URL(put.url).origin, expected);
    });
  }

  it('refuses an endpoint that is not http(s), as the presigner does', () => {
    const options = { publicEndpoint: 'ftp://s3.example.com', bucket: 'b', forcePathStyle: true };
    assert.throws(() => presignedUrlOrigin(options), /must be http\(s\)/);
  });
});
