import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authServices } from '../../../../../../test/support/fakes/auth-services.js';

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

describe('AccessTokenService.signDeviceToken', () => {
  it('expires the token with its session, even far beyond the access token lifetime', async () => {
    const { accessTokens, config, jwt, keys } = await authServices();
    const now = new Date('2026-03-01T12:00:00.000Z');
    // A week-long session: 672 times the 15-minute access token lifetime.
    const notAfter = new Date('2026-03-08T12:00:00.750Z');
    const signed = await accessTokens.signDeviceToken(
      { deviceId: 'd-1', sessionId: 's-1', permissions: ['download'], notAfter },
      now,
    );
    const claims = claimsOf(signed.token);
    assert.equal(claims.exp, Math.floor(notAfter.getTime() / 1000));
    assert.equal(claims.iat, now.getTime() / 1000);
    assert.deepEqual([claims.sub, claims.sid, claims.perms], ['d-1', 's-1', ['download']]);
    // Never past the session's expiry: rounded down to the second.
    assert.deepEqual(signed.expiresAt, new Date('2026-03-08T12:00:00.000Z'));
    assert.equal(signed.expiresIn, 7 * 86_400);
    assert.ok(signed.expiresIn > config.auth.accessTokenTtlSeconds);
    // A real RS256 token from the active key.
    const verified = jwt.verify<Record<string, unknown>>(signed.token, {
      publicKey: keys.active.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: ['RS256'],
      audience: 'sharexpress:device',
      clockTimestamp: now.getTime() / 1000,
    });
    assert.equal(verified.sid, 's-1');
  });

  it('keeps user tokens at the access token lifetime', async () => {
    const { accessTokens, config } = await authServices();
    const now = new Date('2026-03-01T12:00:00.000Z');
    const signed = await accessTokens.signUserToken({ userId: 'u-1', email: 'a@example.com' }, now);
    assert.equal(signed.expiresIn, config.auth.accessTokenTtlSeconds);
  });
});
