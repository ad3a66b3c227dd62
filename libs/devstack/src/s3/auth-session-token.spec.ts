// Session tokens of temporary credentials, in header-signed and presigned requests: what S3
// accepts and the errors it answers otherwise (the conformance suite checks the same against S3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyRequest } from './auth.js';
import { S3Error } from './errors.js';
import {
  EMPTY_SHA256,
  UNSIGNED_PAYLOAD,
  canonicalRequest,
  hmac,
  signingKey,
  stringToSign,
  type Credentials,
  type SignableRequest,
} from './sigv4.js';
import { mintTemporaryCredentials } from './temporary-credentials.js';

const now = Date.UTC(2013, 4, 24, 0, 5);
const AMZ_DATE = '20130524T000000Z';
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const HOST = ['Host', 'examplebucket.s3.amazonaws.com'];

const longTerm: Credentials = { accessKeyId: 'AKIDLONGTERM', secretAccessKey: 'long-secret' };
const { issued, accepted: temporary } = mintTemporaryCredentials(10 * 60_000, now);
const options = { credentials: [longTerm, temporary], region: 'us-east-1', now };

function sign(creds: Credentials, req: SignableRequest, signed: string[], payload: string) {
  const canonical = canonicalRequest(req, req.query, signed, payload);
  const key = signingKey(creds.secretAccessKey, '20130524', 'us-east-1', 's3');
  return hmac(key, stringToSign(AMZ_DATE, SCOPE, canonical)).toString('hex');
}

/** A presigned GET, the token among the signed parameters unless `appendToken` adds it after. */
function presigned(
  creds: Credentials,
  token: string | undefined,
  appendToken?: string,
): SignableRequest {
  const query: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${creds.accessKeyId}/${SCOPE}`],
    ['X-Amz-Date', AMZ_DATE],
    ['X-Amz-Expires', '86400'],
    ...(token === undefined ? [] : [['X-Amz-Security-Token', token] as [string, string]]),
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const req = { method: 'GET', rawPath: '/test.txt', query, rawHeaders: HOST };
  query.push(['X-Amz-Signature', sign(creds, req, ['host'], UNSIGNED_PAYLOAD)]);
  if (appendToken !== undefined) query.push(['X-Amz-Security-Token', appendToken]);
  return req;
}

/** A header-signed GET; the token header is signed unless `signToken` is false. */
function headerSigned(
  creds: Credentials,
  token: string | undefined,
  signToken = true,
): SignableRequest {
  const headers = [...HOST, 'x-amz-content-sha256', EMPTY_SHA256, 'x-amz-date', AMZ_DATE];
  if (token !== undefined) headers.push('x-amz-security-token', token);
  const signed = ['host', 'x-amz-content-sha256', 'x-amz-date'];
  if (token !== undefined && signToken) signed.push('x-amz-security-token');
  const req = { method: 'GET', rawPath: '/test.txt', query: [], rawHeaders: headers };
  const signature = sign(creds, req, signed, EMPTY_SHA256);
  headers.push(
    'Authorization',
    `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${SCOPE},SignedHeaders=${signed.join(';')},Signature=${signature}`,
  );
  return req;
}

function refusal(fn: () => unknown): { code: string; status: number; token?: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof S3Error, String(err));
    return { code: err.code, status: err.status, token: err.extra['Token-0'] };
  }
  assert.fail('the request was accepted');
}

for (const [mechanism, build] of [
  ['presigned', presigned],
  ['header-signed', headerSigned],
] as const) {
  describe(`session tokens, ${mechanism}`, () => {
    const token = issued.sessionToken;

    it('accepts temporary credentials with their token, until they expire', () => {
      assert.equal(verifyRequest(build(temporary, token), options).accessKeyId, issued.accessKeyId);
      const lastMs = { ...options, now: issued.expiration.getTime() - 1 };
      assert.equal(verifyRequest(build(temporary, token), lastMs).accessKeyId, issued.accessKeyId);
    });

    it('refuses them from their expiration on with 400 ExpiredToken, naming the token', () => {
      const expired = { ...options, now: issued.expiration.getTime() };
      assert.deepEqual(
        refusal(() => verifyRequest(build(temporary, token), expired)),
        { code: 'ExpiredToken', status: 400, token },
      );
    });

    it('refuses a temporary key without its token as an unknown key (403)', () => {
      assert.deepEqual(
        refusal(() => verifyRequest(build(temporary, undefined), options)),
        {
          code: 'InvalidAccessKeyId',
          status: 403,
          token: undefined,
        },
      );
    });

    it('refuses another token, or any token with long-term keys (400 InvalidToken)', () => {
      const other = mintTemporaryCredentials(60_000, now).issued.sessionToken;
      assert.deepEqual(
        refusal(() => verifyRequest(build(temporary, other), options)),
        {
          code: 'InvalidToken',
          status: 400,
          token: other,
        },
      );
      assert.equal(
        refusal(() => verifyRequest(build(longTerm, token), options)).code,
        'InvalidToken',
      );
      // Long-term keys without a token still work beside temporary ones.
      assert.equal(verifyRequest(build(longTerm, undefined), options).accessKeyId, 'AKIDLONGTERM');
    });
  });
}

describe('session tokens must be signed', () => {
  it('refuses a token appended to a presigned URL after signing', () => {
    const req = presigned(temporary, undefined, issued.sessionToken);
    assert.equal(refusal(() => verifyRequest(req, options)).code, 'SignatureDoesNotMatch');
  });

  it('refuses an x-amz-security-token header left out of SignedHeaders', () => {
    const req = headerSigned(temporary, issued.sessionToken, false);
    assert.equal(refusal(() => verifyRequest(req, options)).code, 'AccessDenied');
  });
});
