import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@app/common';
import { authServices } from '../../../../../test/support/fakes/auth-services.js';
import {
  PasswordHasher,
  scryptParamsForLog2N,
  storedHashParams,
} from './passwords/password-hasher.js';
import { USER_AUDIENCE } from './tokens/token-claims.js';

const PASSWORD = 'correct horse battery staple';

/** The configured hasher, recording what it is asked to do. */
class RecordingHasher extends PasswordHasher {
  readonly hashed: string[] = [];
  readonly verifiedAgainst: string[] = [];

  override async hash(password: string): Promise<string> {
    const stored = await super.hash(password);
    this.hashed.push(stored);
    return stored;
  }

  override verify(password: string, stored: string): Promise<boolean> {
    this.verifiedAgainst.push(stored);
    return super.verify(password, stored);
  }
}

const refusal = (err: unknown): { code: string; message: string } => {
  assert.ok(err instanceof AppError, String(err));
  return { code: err.code, message: err.message };
};

async function withAccount(log2N = 10) {
  const passwords = new RecordingHasher(scryptParamsForLog2N(log2N));
  const services = await authServices({
    env: { PASSWORD_SCRYPT_LOG2N: String(log2N) },
    passwords,
  });
  const user = await services.accounts.register({ email: 'ada@example.com', password: PASSWORD });
  return { ...services, passwords, user };
}

describe('LoginService.login', () => {
  it('issues a token pair for the right password, whatever the case of the email', async () => {
    const { login, jwt, keys, config, tokens, user } = await withAccount();
    const pair = await login.login(' ADA@example.com ', PASSWORD);
    assert.equal(pair.tokenType, 'Bearer');
    assert.equal(pair.expiresIn, config.auth.accessTokenTtlSeconds);
    const claims = await jwt.verifyAsync<{ sub: string; email: string }>(pair.accessToken, {
      publicKey: keys.active.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: ['RS256'],
      audience: USER_AUDIENCE,
      issuer: config.auth.issuer,
    });
    assert.equal(claims.sub, user.id);
    assert.equal(claims.email, 'ada@example.com');
    // One new refresh-token family for this login, stored by hash only.
    const stored = tokens.all();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.userId, user.id);
    assert.notEqual(stored[0]?.tokenHash, pair.refreshToken);
  });

  it('refuses a wrong password and an unknown email with the same error', async () => {
    const { login, tokens } = await withAccount();
    const wrong = await login.login('ada@example.com', 'wrong password').catch(refusal);
    const unknown = await login.login('nobody@example.com', PASSWORD).catch(refusal);
    assert.deepEqual(wrong, { code: 'UNAUTHENTICATED', message: 'Invalid email or password' });
    assert.deepEqual(unknown, wrong);
    assert.equal(tokens.all().length, 0, 'no token for a refused login');
  });

  it('spends one derivation at the configured cost on an unknown email, as on a wrong password', async () => {
    const { login, passwords, user } = await withAccount(11);
    // Boot made the dummy hash; registration made the user's. Nothing else hashes.
    assert.equal(passwords.hashed.length, 2);
    const [dummy] = passwords.hashed;
    assert.deepEqual(storedHashParams(dummy ?? ''), { n: 2 ** 11, r: 8, p: 1 });

    await assert.rejects(login.login('ada@example.com', 'wrong password'));
    await assert.rejects(login.login('nobody@example.com', PASSWORD));
    await assert.rejects(login.login('someone-else@example.com', PASSWORD));
    // Exactly one verify per attempt: against the user's hash, then the dummy (same cost) twice.
    assert.deepEqual(passwords.verifiedAgainst, [user.passwordHash, dummy, dummy]);
    assert.deepEqual(storedHashParams(user.passwordHash), storedHashParams(dummy ?? ''));
    assert.equal(passwords.hashed.length, 2, 'no hash is made per request');
  });
});

describe('LoginService.refresh and logout', () => {
  it('rotates the refresh token of a login', async () => {
    const { login } = await withAccount();
    const first = await login.login('ada@example.com', PASSWORD);
    const second = await login.refresh(first.refreshToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await login.refresh(second.refreshToken)).tokenType, 'Bearer');
  });

  it('refuses to refresh for an account that is gone', async () => {
    const { login, users, user } = await withAccount();
    const pair = await login.login('ada@example.com', PASSWORD);
    users.remove(user.id);
    assert.deepEqual(await login.refresh(pair.refreshToken).catch(refusal), {
      code: 'UNAUTHENTICATED',
      message: 'Invalid or expired refresh token',
    });
  });

  it('logs out: the refresh token is dead, other logins live on', async () => {
    const { login } = await withAccount();
    const phone = await login.login('ada@example.com', PASSWORD);
    const laptop = await login.login('ada@example.com', PASSWORD);
    await login.logout(phone.refreshToken);
    await assert.rejects(login.refresh(phone.refreshToken), refusalOf('UNAUTHENTICATED'));
    assert.equal((await login.refresh(laptop.refreshToken)).tokenType, 'Bearer');
    // An unknown token is not an error.
    await login.logout('never issued');
  });
});

function refusalOf(code: string) {
  return (err: unknown) => err instanceof AppError && err.code === code;
}
