import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { getWithToken, signUp } from './auth-client.js';
import {
  hmacWithPublicKey,
  rsaKeyPair,
  signToken,
  tampered,
  unsigned,
  type ForgeOptions,
} from './token-forge.js';

const ISSUER = 'https://issuer.sharexpress.test';
const ACTIVE_KID = 'active-2026';

describe('auth: access tokens resist forgery and confusion', () => {
  const active = rsaKeyPair();
  const retired = rsaKeyPair();
  let t: TestApp;
  let user: { id: string; email: string; accessToken: string };
  let good: ForgeOptions;

  const me = (token: string) => getWithToken(t.baseUrl, '/v1/auth/me', token);
  const refused = async (token: string) => expectProblem(await me(token), 401, 'UNAUTHENTICATED');

  before(async () => {
    t = await startTestApp({
      env: {
        JWT_ISSUER: ISSUER,
        JWT_PRIVATE_KEY: active.pem,
        JWT_KEY_ID: ACTIVE_KID,
        // The previous key still verifies tokens it signed (rotation without downtime).
        JWT_VERIFY_KEYS: JSON.stringify([
          {
            kid: 'retired-2025',
            publicKeyPem: retired.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          },
        ]),
      },
    });
    const account = await signUp(t.baseUrl);
    const profile = (await (await me(account.accessToken)).json()) as { id: string };
    user = { id: profile.id, email: account.email, accessToken: account.accessToken };
    good = {
      key: active.privateKey,
      kid: ACTIVE_KID,
      issuer: ISSUER,
      audience: 'sharexpress:user',
    };
  });
  after(async () => {
    await t.close();
  });

  const claims = () => ({ sub: user.id, email: user.email });

  it('publishes every verification key as a cacheable JWKS', async () => {
    const res = await fetch(`${t.baseUrl}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    assert.deepEqual(
      keys.map((k) => k.kid),
      [ACTIVE_KID, 'retired-2025'],
    );
    for (const key of keys) {
      assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
      assert.equal(key.alg, 'RS256');
      assert.equal(key.use, 'sig');
    }
    const exported = createPublicKey({
      key: { kty: 'RSA', n: keys[0]?.n, e: keys[0]?.e },
      format: 'jwk',
    });
    assert.ok(exported.equals(active.publicKey));
  });

  it('accepts a token checked by an independent library against the JWKS', async () => {
    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(user.accessToken, jwks, {
      issuer: ISSUER,
      audience: 'sharexpress:user',
      algorithms: ['RS256'],
      typ: 'at+jwt',
    });
    assert.equal(payload.sub, user.id);
    assert.equal(protectedHeader.kid, ACTIVE_KID);
    assert.ok(typeof payload.exp === 'number' && typeof payload.jti === 'string');
  });

  it('accepts a well-formed token and one signed by a still-published retired key', async () => {
    assert.equal((await me(await signToken(claims(), good))).status, 200);
    const byRetired = await signToken(claims(), {
      ...good,
      key: retired.privateKey,
      kid: 'retired-2025',
    });
    assert.equal((await me(byRetired)).status, 200);
  });

  it('refuses alg none', async () => {
    await refused(unsigned(await signToken(claims(), good)));
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const pem = active.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await refused(hmacWithPublicKey(await signToken(claims(), good), pem));
  });

  it('refuses an expired token', async () => {
    await refused(await signToken(claims(), { ...good, expiresIn: -5 }));
  });

  it('refuses a wrong issuer, audience or type', async () => {
    await refused(await signToken(claims(), { ...good, issuer: 'https://evil.example.com' }));
    await refused(await signToken(claims(), { ...good, audience: 'someone-else' }));
    await refused(await signToken(claims(), { ...good, typ: 'JWT' }));
    await refused(await signToken(claims(), { ...good, typ: 'refresh+jwt' }));
  });

  it('refuses a tampered payload', async () => {
    const token = await signToken(claims(), good);
    await refused(tampered(token, { sub: '0123456789abcdef01234567' }));
    await refused(tampered(token, { exp: Math.floor(Date.now() / 1000) + 86_400 }));
  });

  it('refuses an unknown kid, even with a key the server never saw', async () => {
    const stranger = rsaKeyPair();
    await refused(await signToken(claims(), { ...good, kid: 'nobody' }));
    await refused(await signToken(claims(), { ...good, key: stranger.privateKey, kid: 'nobody' }));
    // A known kid with the wrong key: the signature does not verify.
    await refused(await signToken(claims(), { ...good, key: stranger.privateKey }));
  });

  it('refuses a device token on a user route', async () => {
    const device = await signToken(
      { sub: 'device-1', sid: 'session-1', perms: ['upload'] },
      { ...good, audience: 'sharexpress:device' },
    );
    await refused(device);
  });

  it('refuses missing, malformed and non-bearer credentials', async () => {
    await expectProblem(await getWithToken(t.baseUrl, '/v1/auth/me'), 401, 'UNAUTHENTICATED');
    await refused('not.a.token');
    await refused('garbage');
    const basic = await fetch(`${t.baseUrl}/v1/auth/me`, {
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });
    await expectProblem(basic, 401, 'UNAUTHENTICATED');
  });
});
