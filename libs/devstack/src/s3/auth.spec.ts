// SigV4 verification against the worked examples in AWS's S3 SigV4 documentation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyRequest } from './auth.js';
import { S3Error } from './errors.js';
import {
  EMPTY_SHA256,
  canonicalRequest,
  hmac,
  parseQuery,
  signingKey,
  stringToSign,
  type SignableRequest,
} from './sigv4.js';

const credentials = [
  {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
];
const now = Date.UTC(2013, 4, 24, 0, 5);
const options = { credentials, region: 'us-east-1', now };
const scope = 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';

function getObject(signature: string, extra: string[] = []): SignableRequest {
  return {
    method: 'GET',
    rawPath: '/test.txt',
    query: [],
    rawHeaders: [
      'Host',
      'examplebucket.s3.amazonaws.com',
      'Range',
      'bytes=0-9',
      'x-amz-content-sha256',
      EMPTY_SHA256,
      'x-amz-date',
      '20130524T000000Z',
      'Authorization',
      `AWS4-HMAC-SHA256 Credential=${scope},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=${signature}`,
      ...extra,
    ],
  };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof S3Error, String(err));
    return err.code;
  }
  return 'no error';
}

describe('SigV4 header authentication', () => {
  const good = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';

  it('builds the documented canonical request for GET with Range', () => {
    const req = getObject(good);
    const canonical = canonicalRequest(
      req,
      [],
      ['host', 'range', 'x-amz-content-sha256', 'x-amz-date'],
      EMPTY_SHA256,
    );
    assert.equal(
      canonical,
      `GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:${EMPTY_SHA256}\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n${EMPTY_SHA256}`,
    );
  });

  it('accepts the documented GET Object signature', () => {
    const auth = verifyRequest(getObject(good), options);
    assert.equal(auth.accessKeyId, 'AKIAIOSFODNN7EXAMPLE');
    assert.equal(auth.presigned, false);
    assert.equal(auth.payloadHash, EMPTY_SHA256);
  });

  it('accepts the documented PUT Object signature (path needing encoding, Date header)', () => {
    const req: SignableRequest = {
      method: 'PUT',
      rawPath: '/test$file.text',
      query: [],
      rawHeaders: [
        'Host',
        'examplebucket.s3.amazonaws.com',
        'Date',
        'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-date',
        '20130524T000000Z',
        'x-amz-storage-class',
        'REDUCED_REDUNDANCY',
        'x-amz-content-sha256',
        '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
        'Authorization',
        `AWS4-HMAC-SHA256 Credential=${scope},SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd`,
      ],
    };
    assert.equal(
      verifyRequest(req, options).payloadHash,
      '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
    );
  });

  it('refuses a tampered signature, a changed signed header and an unknown key', () => {
    assert.equal(
      code(() => verifyRequest(getObject(good.replace('f0e8', 'f0e9')), options)),
      'SignatureDoesNotMatch',
    );
    const tampered = getObject(good);
    (tampered.rawHeaders as string[])[3] = 'bytes=0-99';
    assert.equal(
      code(() => verifyRequest(tampered, options)),
      'SignatureDoesNotMatch',
    );
    assert.equal(
      code(() =>
        verifyRequest(getObject(good), {
          ...options,
          credentials: [{ accessKeyId: 'other', secretAccessKey: 'x' }],
        }),
      ),
      'InvalidAccessKeyId',
    );
  });

  it('refuses anonymous requests, skewed clocks and the wrong region', () => {
    assert.equal(
      code(() =>
        verifyRequest(
          { method: 'GET', rawPath: '/b/k', query: [], rawHeaders: ['Host', 'h'] },
          options,
        ),
      ),
      'AccessDenied',
    );
    assert.equal(
      code(() => verifyRequest(getObject(good), { ...options, now: now + 16 * 60 * 1000 })),
      'RequestTimeTooSkewed',
    );
    assert.equal(
      code(() => verifyRequest(getObject(good), { ...options, region: 'eu-west-1' })),
      'AuthorizationHeaderMalformed',
    );
  });

  it('refuses x-amz-* headers that are not signed, and an unsigned host', () => {
    assert.equal(
      code(() => verifyRequest(getObject(good, ['x-amz-meta-evil', '1']), options)),
      'AccessDenied',
    );
    const req = getObject(good);
    const at = req.rawHeaders.indexOf('Authorization') + 1;
    (req.rawHeaders as string[])[at] = req.rawHeaders[at].replace(
      'SignedHeaders=host;',
      'SignedHeaders=',
    );
    assert.equal(
      code(() => verifyRequest(req, options)),
      'AccessDenied',
    );
  });

  it('takes the signing time from a signed Date header when x-amz-date is absent', () => {
    const base: SignableRequest = {
      method: 'GET',
      rawPath: '/test.txt',
      query: [],
      rawHeaders: [
        'Host',
        'examplebucket.s3.amazonaws.com',
        'Date',
        'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-content-sha256',
        EMPTY_SHA256,
      ],
    };
    const signed = ['date', 'host', 'x-amz-content-sha256'];
    const key = signingKey(credentials[0].secretAccessKey, '20130524', 'us-east-1', 's3');
    const toSign = stringToSign(
      '20130524T000000Z',
      '20130524/us-east-1/s3/aws4_request',
      canonicalRequest(base, [], signed, EMPTY_SHA256),
    );
    const signature = hmac(key, toSign).toString('hex');
    const req = {
      ...base,
      rawHeaders: [
        ...base.rawHeaders,
        'Authorization',
        `AWS4-HMAC-SHA256 Credential=${scope},SignedHeaders=${signed.join(';')},Signature=${signature}`,
      ],
    };
    assert.equal(verifyRequest(req, options).amzDate, '20130524T000000Z');
  });

  it('refuses SigV2', () => {
    const req: SignableRequest = {
      method: 'GET',
      rawPath: '/b/k',
      query: [],
      rawHeaders: ['Host', 'h', 'Authorization', 'AWS AKID:sig'],
    };
    assert.equal(
      code(() => verifyRequest(req, options)),
      'InvalidRequest',
    );
  });
});

describe('SigV4 presigned URLs', () => {
  const rawQuery =
    'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
  const presigned = (query: string): SignableRequest => ({
    method: 'GET',
    rawPath: '/test.txt',
    query: parseQuery(query),
    rawHeaders: ['Host', 'examplebucket.s3.amazonaws.com'],
  });

  it('accepts the documented presigned GET', () => {
    const auth = verifyRequest(presigned(rawQuery), options);
    assert.equal(auth.presigned, true);
    assert.equal(auth.payloadHash, 'UNSIGNED-PAYLOAD');
  });

  it('refuses it once expired, with "Request has expired"', () => {
    try {
      verifyRequest(presigned(rawQuery), { ...options, now: Date.UTC(2013, 4, 25, 0, 0, 1) });
      assert.fail('accepted an expired URL');
    } catch (err) {
      assert.ok(err instanceof S3Error);
      assert.equal(err.code, 'AccessDenied');
      assert.equal(err.message, 'Request has expired');
    }
  });

  it('refuses X-Amz-Expires beyond a week and missing parameters', () => {
    assert.equal(
      code(() =>
        verifyRequest(presigned(rawQuery.replace('Expires=86400', 'Expires=604801')), options),
      ),
      'AuthorizationQueryParametersError',
    );
    assert.equal(
      code(() => verifyRequest(presigned(rawQuery.replace(/&X-Amz-Date=[^&]+/, '')), options)),
      'AuthorizationQueryParametersError',
    );
  });

  it('refuses a changed parameter or extra unsigned x-amz header', () => {
    assert.equal(
      code(() => verifyRequest(presigned(`${rawQuery}&response-content-type=text/html`), options)),
      'SignatureDoesNotMatch',
    );
    const req = presigned(rawQuery);
    (req.rawHeaders as string[]).push('x-amz-checksum-sha256', 'abc');
    assert.equal(
      code(() => verifyRequest(req, options)),
      'AccessDenied',
    );
  });

  it('refuses a request carrying both a header and a query signature', () => {
    const req = presigned(rawQuery);
    (req.rawHeaders as string[]).push('Authorization', 'AWS4-HMAC-SHA256 Credential=x');
    assert.equal(
      code(() => verifyRequest(req, options)),
      'InvalidArgument',
    );
  });
});
