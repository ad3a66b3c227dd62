import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@app/common';
import { authServices } from '../../../../../test/support/fakes/auth-services.js';
import { HashingQueue, type HashingPlace } from './passwords/hashing-queue.js';
import {
  PasswordHasher,
  scryptParamsForLog2N,
  storedHashParams,
} from './passwords/password-hasher.js';
import { USER_AUDIENCE } from './tokens/token-claims.js';
import { accountKey } from './attempts/login-attempts.service.js';

const PASSWORD = 'correct horse battery staple';

/** The configured hasher, recording what it is asked to do. */
class RecordingHasher extends PasswordHasher {
  readonly hashed: string[] = [];
  readonly verifiedAgainst: string[] = [];

  override async hash(password: string, place?: HashingPlace): Promise<string> {
    const stored = await super.hash(password, place);
    this.hashed.push(stored);
    return stored;
  }

  override verify(password: string, stored: string, place?: HashingPlace): Promise<boolean> {
    this.verifiedAgainst.push(stored);
    return super.verify(password, stored, place);
  }
}

const refusal = (err: unknown): { code: string; message: string } => {
  assert.ok(err instanceof AppError, String(err));
  return { code: err.code, message: err.message };
};

async function withAccount(log2N = 10, env: Record<string, string> = {}) {
  const passwords = new RecordingHasher(scryptParamsForLog2N(log2N), new HashingQueue(2, 64));
  const services = await authServices({
    env: { PASSWORD_SCRYPT_LOG2N: String(log2N), ...env },
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

describe('LoginService.login: failed logins per account', () => {
  const LIMITS = {
    LOGIN_FREE_FAILURES: '3',
    LOGIN_DELAY_BASE_SECONDS: '2',
    LOGIN_DELAY_MAX_SECONDS: '10',
    LOGIN_FAILURE_MEMORY_SECONDS: '600',
  };
  const delayed = (retryAfterSeconds: number) => (err: unknown) =>
    err instanceof AppError &&
    err.code === 'LOGIN_DELAYED' &&
    err.retryAfterSeconds === retryAfterSeconds;

  /** The services with a clock the test moves. */
  async function clocked() {
    const services = await withAccount(10, LIMITS);
    let now = Date.parse('2030-01-01T00:00:00Z');
    services.attempts.now = () => new Date(now);
    return { ...services, advance: (seconds: number) => (now += seconds * 1000) };
  }

  it('lets the free failures through, then delays exponentially up to the cap', async () => {
    const { login, passwords, advance } = await clocked();
    const verifies = () => passwords.verifiedAgainst.length;
    for (let i = 0; i < 3; i++) await assert.rejects(login.login('ada@example.com', 'wrong'));
    // The 4th failure starts a 2 s delay; during it nothing is hashed, whatever the password.
    await assert.rejects(login.login('ada@example.com', 'wrong'), refusalOf('UNAUTHENTICATED'));
    assert.equal(verifies(), 4);
    await assert.rejects(login.login('ADA@example.com', PASSWORD), delayed(2));
    advance(1);
    await assert.rejects(login.login('ada@example.com', PASSWORD), delayed(1));
    assert.equal(verifies(), 4, 'no hash while delayed');
    // Then 4 s, 8 s, and 10 s (the cap) from there on.
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      advance(10);
      await assert.rejects(login.login('ada@example.com', 'wrong'), refusalOf('UNAUTHENTICATED'));
      const refusal = await login.login('ada@example.com', 'wrong').catch((err: unknown) => err);
      assert.ok(refusal instanceof AppError && refusal.code === 'LOGIN_DELAYED');
      seen.push(refusal.retryAfterSeconds ?? -1);
    }
    assert.deepEqual(seen, [4, 8, 10, 10]);
  });

  it('counts a concurrent burst exactly: free + 1 are checked, the rest refused without a hash', async () => {
    const { login, passwords } = await clocked();
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        login.login('ada@example.com', 'wrong').catch((err: unknown) => refusal(err).code),
      ),
    );
    assert.equal(results.filter((r) => r === 'UNAUTHENTICATED').length, 4);
    assert.equal(results.filter((r) => r === 'LOGIN_DELAYED').length, 8);
    assert.equal(passwords.verifiedAgainst.length, 4);
  });

  it('starts over after a good login, and after the memory period', async () => {
    const { login, loginAttempts, advance } = await clocked();
    for (let i = 0; i < 3; i++) await assert.rejects(login.login('ada@example.com', 'wrong'));
    assert.equal((await login.login('ada@example.com', PASSWORD)).tokenType, 'Bearer');
    assert.equal(loginAttempts.get(accountKey('ada@example.com')), undefined);
    // Free again: three more failures and a good login, no delay.
    for (let i = 0; i < 3; i++) await assert.rejects(login.login('ada@example.com', 'wrong'));
    await assert.rejects(login.login('ada@example.com', 'wrong'), refusalOf('UNAUTHENTICATED'));
    // Delayed now; once the delay and the memory period have passed, the count is forgotten.
    advance(2 + 600);
    for (let i = 0; i < 4; i++) {
      await assert.rejects(login.login('ada@example.com', 'wrong'), refusalOf('UNAUTHENTICATED'));
    }
  });

  it('keys the count on the normalized email, and stores no address', async () => {
    const { login, loginAttempts } = await clocked();
    await assert.rejects(login.login(' ＡＤＡ@example.com', 'wrong'));
    await assert.rejects(login.login('ada@EXAMPLE.com', 'wrong'));
    const [first, second] = loginAttempts.writes;
    assert.equal(first?.key, second?.key);
    assert.equal(first?.key, accountKey('ada@example.com'));
    assert.match(first?.key ?? '', /^[0-9a-f]{64}$/);
  });

  it('counts unknown emails like known ones', async () => {
    const { login } = await clocked();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(
        await login.login('nobody@example.com', 'x').then(
          () => 'OK',
          (e: unknown) => refusal(e).code,
        ),
      );
    }
    assert.deepEqual(codes, [
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'LOGIN_DELAYED',
    ]);
  });
});

describe('LoginService.login: the hashing queue', () => {
  it('answers CREDENTIALS_BUSY beyond the queue without counting the attempt', async () => {
    const { login, loginAttempts } = await authServices({
      env: {
        PASSWORD_HASH_CONCURRENCY: '1',
        PASSWORD_HASH_QUEUE: '1',
        PASSWORD_SCRYPT_LOG2N: '12',
      },
    });
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) =>
        login.login(`${name}@example.com`, 'wrong').catch((err: unknown) => refusal(err).code),
      ),
    );
    assert.deepEqual(results, [
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'CREDENTIALS_BUSY',
      'CREDENTIALS_BUSY',
    ]);
    // Only the two checked attempts were counted.
    assert.equal(loginAttempts.writes.length, 2);
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
