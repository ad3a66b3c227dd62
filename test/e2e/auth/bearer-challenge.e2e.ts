// Issue 10, finding 7 (the auth part): every 401 from the guards carries an RFC 6750 challenge,
// and a correctly signed token without `exp` is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { Permission } from '@app/common';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { getWithToken, signUp } from './auth-client.js';
import { GuardProbeModule, ProbeSessions } from './guard-probe.module.js';
import { rsaKeyPair, signToken, type ForgeOptions } from './token-forge.js';

const ISSUER = 'https://issuer.sharexpress.test';
const KID = 'bearer-challenge';
const NO_ERROR = /^Bearer(?: realm="[^"]+")?$/;
const INVALID_TOKEN = /^Bearer(?: realm="[^"]+",)? ?error="invalid_token"/;

describe('auth: 401 answers challenge with Bearer, and tokens must expire', () => {
  const key = rsaKeyPair();
  let t: TestApp;
  let user: { sub: string; email: string; accessToken: string };
  let good: ForgeOptions;

  const challenge = async (res: Response, pattern: RegExp): Promise<void> => {
    await expectProblem(res, 401, 'UNAUTHENTICATED');
    assert.match(res.headers.get('www-authenticate') ?? '(none)', pattern);
  };

  before(async () => {
    t = await startTestApp({
      env: { JWT_ISSUER: ISSUER, JWT_PRIVATE_KEY: key.pem, JWT_KEY_ID: KID },
      extraModules: [GuardProbeModule],
    });
    const account = await signUp(t.baseUrl);
    const profile = (await (
      await getWithToken(t.baseUrl, '/v1/auth/me', account.accessToken)
    ).json()) as {
      id: string;
    };
    user = { sub: profile.id, email: account.email, accessToken: account.accessToken };
    good = { key: key.privateKey, kid: KID, issuer: ISSUER, audience: 'sharexpress:user' };
  });
  after(async () => {
    await t.close();
  });

  it('asks for a Bearer token, without an error code, when none was sent', async () => {
    await challenge(await getWithToken(t.baseUrl, '/v1/auth/me'), NO_ERROR);
    const basic = await fetch(`${t.baseUrl}/v1/auth/me`, {
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });
    await challenge(basic, NO_ERROR);
    await challenge(await getWithToken(t.baseUrl, '/auth-probe/device'), NO_ERROR);
    await challenge(await getWithToken(t.baseUrl, '/auth-probe/either'), NO_ERROR);
    await challenge(await fetch(`${t.baseUrl}/auth-probe/upload`, { method: 'POST' }), NO_ERROR);
  });

  it('names the scheme on the 401s of the credential routes too (wrong password, bad refresh token)', async () => {
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${t.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await challenge(
      await post('/v1/auth/login', { email: user.email, password: 'not the password at all' }),
      NO_ERROR,
    );
    await challenge(await post('/v1/auth/refresh', { refreshToken: 'x'.repeat(43) }), NO_ERROR);
  });

  it('says invalid_token when the presented token is bad', async () => {
    for (const token of [
      'garbage',
      'not.a.token',
      await signToken({ sub: user.sub, email: user.email }, { ...good, expiresIn: -5 }),
      await signToken({ sub: user.sub, email: user.email }, { ...good, audience: 'elsewhere' }),
    ]) {
      await challenge(await getWithToken(t.baseUrl, '/v1/auth/me', token), INVALID_TOKEN);
    }
    // A user token on a device route, and a device token on a user route.
    await challenge(
      await getWithToken(t.baseUrl, '/auth-probe/device', user.accessToken),
      INVALID_TOKEN,
    );
    const probe = t.app.get(ProbeSessions);
    const device = await probe.standingDevice([Permission.Upload]);
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', device.token)).status, 200);
    await challenge(await getWithToken(t.baseUrl, '/v1/auth/me', device.token), INVALID_TOKEN);
    // A revoked device's token.
    await probe.revoke(device);
    await challenge(
      await getWithToken(t.baseUrl, '/auth-probe/device', device.token),
      INVALID_TOKEN,
    );
  });

  it('challenges on a route that declares no access, too', async () => {
    const res = await getWithToken(t.baseUrl, '/auth-probe/undeclared', user.accessToken);
    await expectProblem(res, 401, 'UNAUTHENTICATED');
    assert.match(res.headers.get('www-authenticate') ?? '(none)', /^Bearer/);
  });

  it('sends no challenge on a success', async () => {
    const res = await getWithToken(t.baseUrl, '/v1/auth/me', user.accessToken);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('www-authenticate'), null);
  });

  it('refuses a correctly signed token without exp', async () => {
    const claims = { sub: user.sub, email: user.email };
    const withExp = await signToken(claims, good);
    assert.equal((await getWithToken(t.baseUrl, '/v1/auth/me', withExp)).status, 200);
    const forever = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: KID })
      .setIssuer(ISSUER)
      .setAudience('sharexpress:user')
      .setIssuedAt()
      .sign(key.privateKey);
    await challenge(await getWithToken(t.baseUrl, '/v1/auth/me', forever), INVALID_TOKEN);
  });

  it('refuses a device token without exp as well', async () => {
    // A device that stands: the same claims with an exp pass, so only the missing exp refuses.
    const device = await t.app.get(ProbeSessions).standingDevice([Permission.Upload]);
    const claims = { sub: device.deviceId, sid: device.sessionId, perms: ['upload'] };
    const withExp = await signToken(claims, { ...good, audience: 'sharexpress:device' });
    assert.equal((await getWithToken(t.baseUrl, '/auth-probe/device', withExp)).status, 200);
    const forever = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: KID })
      .setIssuer(ISSUER)
      .setAudience('sharexpress:device')
      .setIssuedAt()
      .sign(key.privateKey);
    await challenge(await getWithToken(t.baseUrl, '/auth-probe/device', forever), INVALID_TOKEN);
  });
});
