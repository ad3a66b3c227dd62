import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  claimsDeviceAudience,
  decodeHeader,
  isAccessTokenType,
  toDevicePrincipal,
  toUserPrincipal,
} from './token-claims.js';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('token claims', () => {
  it('decodes a JWT header and refuses anything else', () => {
    assert.deepEqual(decodeHeader(`${part({ alg: 'RS256', kid: 'k' })}.e30.sig`), {
      alg: 'RS256',
      kid: 'k',
    });
    for (const token of [
      '',
      'a.b',
      'a.b.c.d',
      `${part([1])}.e30.s`,
      `${part('x')}.e30.s`,
      '!!!.e30.s',
    ]) {
      assert.equal(decodeHeader(token), null, token);
    }
  });

  it('reads the claimed audience of an unverified token, device only when user is not claimed', () => {
    const withAud = (aud: unknown) => `e30.${part({ aud })}.s`;
    assert.equal(claimsDeviceAudience(withAud('sharexpress:device')), true);
    assert.equal(claimsDeviceAudience(withAud(['x', 'sharexpress:device'])), true);
    for (const token of [
      withAud('sharexpress:user'),
      withAud(['sharexpress:user', 'sharexpress:device']),
      withAud(undefined),
      'e30.!!!.s',
      `e30.${part(['sharexpress:device'])}.s`,
      'a.b',
    ]) {
      assert.equal(claimsDeviceAudience(token), false, token);
    }
  });

  it('accepts the RFC 9068 access-token type in its allowed spellings only', () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt'])
      assert.equal(isAccessTokenType(typ), true);
    for (const typ of ['JWT', 'jwt', 'at+jwt ', '', undefined, 1])
      assert.equal(isAccessTokenType(typ), false);
  });

  it('builds principals only from well-formed claims', () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    assert.deepEqual(toUserPrincipal({ sub: 'u1', email: 'a@b.c', exp }), {
      kind: 'user',
      userId: 'u1',
      email: 'a@b.c',
    });
    assert.equal(toUserPrincipal({ sub: '', email: 'a@b.c', exp }), null);
    assert.equal(toUserPrincipal({ sub: 'u1', exp }), null);
    assert.deepEqual(toDevicePrincipal({ sub: 'd1', sid: 's1', perms: ['upload'], exp }), {
      kind: 'device',
      deviceId: 'd1',
      sessionId: 's1',
      permissions: ['upload'],
    });
    assert.equal(toDevicePrincipal({ sub: 'd1', sid: 's1', perms: ['admin'], exp }), null);
    assert.equal(toDevicePrincipal({ sub: 'd1', perms: [], exp }), null);
    assert.equal(toDevicePrincipal(null), null);
  });

  it('refuses claims without a numeric exp: such a token would never expire', () => {
    for (const exp of [undefined, null, '9999999999', Number.NaN, Infinity]) {
      assert.equal(toUserPrincipal({ sub: 'u1', email: 'a@b.c', exp }), null, String(exp));
      assert.equal(toDevicePrincipal({ sub: 'd1', sid: 's1', perms: [], exp }), null, String(exp));
    }
  });
});
