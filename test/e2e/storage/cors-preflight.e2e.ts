// A browser on the web app's origin (PUBLIC_URL) uploading straight to storage: the bucket set up
// as `npm start` sets it up (ensureBucket with storageCorsRules) answers the preflight of a
// presigned single PUT and of a part upload, naming every header those requests carry, and the
// actual cross-origin PUT lets the page read the ETag. Any other origin gets nothing. Runs on the
// devstack, or on a real S3 (S3_ENDPOINT); skipped where PutBucketCors is not implemented
// (MinIO's community server, whose CORS is server-wide).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type AppConfig } from '@app/config';
import {
  BROWSER_SET_HEADERS,
  createStorage,
  type PresignedRequest,
  type Storage,
} from '@app/storage';
import { ensureBucket } from '../../../libs/devstack/src/embedded/bucket-setup.js';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { testEnv } from '../../support/test-app.js';

const FOREIGN = 'https://evil.example';

const sha256Base64 = (body: Uint8Array): string =>
  createHash('sha256').update(body).digest('base64');

const list = (value: string | null): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');

/** Access-Control-Request-Headers as a browser builds it for `req`: lowercase, sorted, no
 * headers the browser sets itself. (Browsers leave out a safelisted Content-Type; listing it
 * anyway is the stricter check.) */
function requestedHeaders(...reqs: PresignedRequest[]): string {
  const names = new Set(reqs.flatMap((r) => Object.keys(r.headers)).map((n) => n.toLowerCase()));
  return [...names]
    .filter((n) => !BROWSER_SET_HEADERS.has(n))
    .sort()
    .join(',');
}

/** The request headers fetch may send; Content-Length comes from the body, as in a browser. */
function sendable(req: PresignedRequest, origin: string): Record<string, string> {
  const headers: Record<string, string> = { ...req.headers, origin };
  for (const name of BROWSER_SET_HEADERS) delete headers[name];
  return headers;
}

describe('storage CORS for browser uploads', () => {
  let backends: TestBackends;
  let dataDir: string;
  let config: AppConfig;
  let storage: Storage;
  let origin: string;
  let supported = true;

  before(async () => {
    backends = await startTestBackends();
    dataDir = await mkdtemp(join(tmpdir(), 'sx-cors-'));
    config = loadConfig({
      ...testEnv(backends, dataDir),
      PUBLIC_URL: 'https://share.example.test/app',
    });
    origin = new URL(config.publicUrl).origin;
    storage = createStorage(config.s3);
    const { s3 } = backends;
    try {
      // The launcher's call, with the launcher's origins.
      await ensureBucket(
        {
          endpoint: s3.endpoint,
          region: s3.region,
          bucket: s3.bucket,
          credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        },
        [config.publicUrl, ...config.corsOrigins].map((url) => new URL(url).origin),
      );
    } catch (err) {
      if ((err as { name?: string }).name !== 'NotImplemented') throw err;
      supported = false;
    }
  });
  after(async () => {
    storage?.close();
    await backends?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const key = () => `sessions/cors/files/${randomBytes(6).toString('hex')}`;

  const singlePut = (k: string, body: Uint8Array) =>
    storage.presigner.presignPut({
      key: k,
      contentLength: body.byteLength,
      contentType: 'application/octet-stream',
      sha256Base64: sha256Base64(body),
      ifNoneMatch: true,
      expiresInSeconds: 120,
    });

  const partPut = async (k: string, body: Uint8Array) => {
    const { uploadId } = await storage.service.createMultipartUpload({
      key: k,
      contentType: 'application/octet-stream',
      checksumSha256: true,
    });
    const req = storage.presigner.presignUploadPart({
      key: k,
      uploadId,
      partNumber: 1,
      contentLength: body.byteLength,
      sha256Base64: sha256Base64(body),
      expiresInSeconds: 120,
    });
    return { uploadId, req };
  };

  const preflight = (url: string, from: string, method: string, headers: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: from,
        'access-control-request-method': method,
        'access-control-request-headers': headers,
      },
    });

  it('the web app origin may preflight a single upload and a part upload', async (t) => {
    if (!supported) return t.skip('PutBucketCors is not implemented by this S3');
    const single = singlePut(key(), randomBytes(10));
    const part = (await partPut(key(), randomBytes(10))).req;
    const every = requestedHeaders(single, part);
    assert.equal(every, 'content-type,if-none-match,x-amz-checksum-sha256');
    for (const [req, headers] of [
      [single, requestedHeaders(single)],
      [part, requestedHeaders(part)],
      [single, every],
    ] as const) {
      const res = await preflight(req.url, origin, 'PUT', headers);
      assert.equal(res.status, 200, `${headers}: ${await res.clone().text()}`);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.ok(list(res.headers.get('access-control-allow-methods')).includes('put'));
      const allowed = list(res.headers.get('access-control-allow-headers'));
      for (const h of headers.split(',')) assert.ok(allowed.includes(h), `${h} allowed`);
      assert.equal(res.headers.get('access-control-max-age'), '600');
      await res.body?.cancel();
    }
  });

  it('another origin, method or header is refused at preflight', async (t) => {
    if (!supported) return t.skip('PutBucketCors is not implemented by this S3');
    const single = singlePut(key(), randomBytes(10));
    for (const [from, method, headers] of [
      [FOREIGN, 'PUT', requestedHeaders(single)],
      [`${origin}.evil.example`, 'PUT', requestedHeaders(single)],
      [origin, 'DELETE', ''],
      [origin, 'PUT', `${requestedHeaders(single)},x-amz-meta-owner`],
      [origin, 'PUT', 'authorization'],
    ] as const) {
      const res = await preflight(single.url, from, method, headers);
      assert.equal(res.status, 403, `${from} ${method} ${headers}`);
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      await res.body?.cancel();
    }
  });

  it('the cross-origin PUTs let the page read the ETag; a foreign origin reads nothing', async (t) => {
    if (!supported) return t.skip('PutBucketCors is not implemented by this S3');
    const body = randomBytes(2048);
    const single = singlePut(key(), body);
    const put = await fetch(single.url, {
      method: 'PUT',
      headers: sendable(single, origin),
      body,
    });
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal(put.headers.get('access-control-allow-origin'), origin);
    const exposed = list(put.headers.get('access-control-expose-headers'));
    assert.ok(exposed.includes('etag') && exposed.includes('x-amz-checksum-sha256'));
    assert.equal(put.headers.get('etag'), `"${createHash('md5').update(body).digest('hex')}"`);

    const partKey = key();
    const { uploadId, req } = await partPut(partKey, body);
    const part = await fetch(req.url, { method: 'PUT', headers: sendable(req, origin), body });
    assert.equal(part.status, 200, await part.clone().text());
    assert.equal(part.headers.get('access-control-allow-origin'), origin);
    assert.ok(list(part.headers.get('access-control-expose-headers')).includes('etag'));
    assert.ok(part.headers.get('etag'));
    await storage.service.abortMultipartUpload(partKey, uploadId);

    const other = randomBytes(16);
    const foreign = singlePut(key(), other);
    const res = await fetch(foreign.url, {
      method: 'PUT',
      headers: sendable(foreign, FOREIGN),
      body: other,
    });
    // Storage still answers (the browser enforces CORS) but grants the page nothing.
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-expose-headers'), null);
  });
});
