// CORS as a browser meets it: the product's web origin may preflight and PUT/GET presigned URLs
// and read the ETag; any other origin, method or header is refused at preflight.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
} from '@aws-sdk/client-s3';
import { presignGet, presignPut, upload } from './presign.js';
import { failure, md5Hex, openTarget, sdkRejection, uniqueKey, type Target } from './support.js';

const ORIGIN = 'https://app.sharexpress.test';
const FOREIGN = 'https://evil.example';

const splitList = (value: string | null): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');

describe('CORS', () => {
  let target: Target;
  before(async () => {
    target = await openTarget('cors');
  });
  after(() => target.close());

  const preflight = (
    origin: string,
    method: string,
    headers = 'content-type,x-amz-checksum-sha256',
    key = 'cors/some-object.bin',
  ): Promise<Response> =>
    fetch(target.objectUrl(key), {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': headers,
      },
    });

  const putRules = () =>
    target.client.send(
      new PutBucketCorsCommand({
        Bucket: target.bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: [ORIGIN],
              AllowedMethods: ['GET', 'PUT', 'HEAD'],
              AllowedHeaders: ['content-type', 'x-amz-checksum-sha256', 'if-none-match', 'range'],
              ExposeHeaders: ['ETag', 'x-amz-checksum-sha256'],
              MaxAgeSeconds: 600,
            },
          ],
        },
      }),
    );

  it('a bucket without CORS rules refuses every preflight', async () => {
    const missing = await sdkRejection(
      target.client.send(new GetBucketCorsCommand({ Bucket: target.bucket })),
    );
    assert.deepEqual(missing, { status: 404, code: 'NoSuchCORSConfiguration' });
    const res = await preflight(ORIGIN, 'PUT');
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    await res.body?.cancel();
  });

  describe('with a rule for the product origin', () => {
    before(putRules);

    it('GetBucketCors returns the stored rule', async () => {
      const out = await target.client.send(new GetBucketCorsCommand({ Bucket: target.bucket }));
      const rule = out.CORSRules?.[0];
      assert.deepEqual(rule?.AllowedOrigins, [ORIGIN]);
      assert.deepEqual([...(rule?.AllowedMethods ?? [])].sort(), ['GET', 'HEAD', 'PUT']);
      assert.deepEqual(rule?.ExposeHeaders, ['ETag', 'x-amz-checksum-sha256']);
      assert.equal(rule?.MaxAgeSeconds, 600);
    });

    it('a preflight PUT from the allowed origin is answered 200 with the rule', async () => {
      const res = await preflight(ORIGIN, 'PUT');
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      assert.ok(splitList(res.headers.get('access-control-allow-methods')).includes('put'));
      const allowed = splitList(res.headers.get('access-control-allow-headers'));
      assert.ok(allowed.includes('content-type') && allowed.includes('x-amz-checksum-sha256'));
      assert.ok(splitList(res.headers.get('access-control-expose-headers')).includes('etag'));
      assert.equal(res.headers.get('access-control-max-age'), '600');
      assert.ok(splitList(res.headers.get('vary')).includes('origin'), 'Vary: Origin');
      await res.body?.cancel();
    });

    it('header names are matched case-insensitively', async () => {
      const res = await preflight(ORIGIN, 'PUT', 'Content-Type, X-Amz-Checksum-SHA256');
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });

    for (const [why, origin, method, headers] of [
      ['a foreign origin', FOREIGN, 'PUT', 'content-type'],
      ['an origin that only shares a prefix', `${ORIGIN}.evil.example`, 'PUT', 'content-type'],
      ['a method outside the rule', ORIGIN, 'DELETE', 'content-type'],
      ['a header outside the rule', ORIGIN, 'PUT', 'content-type,x-evil'],
    ] as const) {
      it(`a preflight with ${why} is refused with 403`, async () => {
        const res = await preflight(origin, method, headers);
        assert.equal(res.headers.get('access-control-allow-origin'), null);
        assert.deepEqual(await failure(res), { status: 403, code: 'AccessForbidden' });
      });
    }

    it('the real PUT and GET carry the CORS headers so the page can read the ETag', async () => {
      const key = uniqueKey('cors/put');
      const body = randomBytes(500);
      const put = await upload(await presignPut(target, key, body), body, { origin: ORIGIN });
      assert.equal(put.status, 200, await put.clone().text());
      assert.equal(put.headers.get('access-control-allow-origin'), ORIGIN);
      assert.ok(splitList(put.headers.get('access-control-expose-headers')).includes('etag'));
      assert.equal(put.headers.get('etag'), `"${md5Hex(body)}"`);

      const get = await fetch(await presignGet(target, key), { headers: { origin: ORIGIN } });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('access-control-allow-origin'), ORIGIN);
      await get.body?.cancel();

      // S3 still serves a foreign origin (the browser enforces CORS) but grants it nothing.
      const foreign = await fetch(await presignGet(target, key), { headers: { origin: FOREIGN } });
      assert.equal(foreign.status, 200);
      assert.equal(foreign.headers.get('access-control-allow-origin'), null);
      await foreign.body?.cancel();
    });

    it('after DeleteBucketCors the preflight is refused again', async () => {
      await target.client.send(new DeleteBucketCorsCommand({ Bucket: target.bucket }));
      const res = await preflight(ORIGIN, 'PUT');
      assert.equal(res.status, 403);
      await res.body?.cancel();
      await putRules();
    });
  });
});
