import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@app/common';
import { authServices } from '../../../../../test/support/fakes/auth-services.js';
import { storedHashParams } from './passwords/password-hasher.js';

const isCode = (code: string, message?: RegExp) => (err: unknown) =>
  err instanceof AppError &&
  err.code === code &&
  (message === undefined || message.test(err.message));

describe('AccountsService', () => {
  it('stores the normalized email and a salted hash at the configured cost, never the password', async () => {
    const { accounts, users, passwords } = await authServices({
      env: { PASSWORD_SCRYPT_LOG2N: '11' },
    });
    const user = await accounts.register({
      email: '  Ada@Example.COM ',
      password: 'correct horse battery',
      displayName: '  Ada  ',
    });
    assert.equal(user.email, 'ada@example.com');
    assert.equal(user.displayName, 'Ada');
    const [stored] = users.all();
    assert.equal(stored?.id, user.id);
    assert.deepEqual(storedHashParams(stored.passwordHash), { n: 2 ** 11, r: 8, p: 1 });
    assert.doesNotMatch(stored.passwordHash, /correct horse/);
    assert.equal(await passwords.verify('correct horse battery', stored.passwordHash), true);
    assert.equal(await passwords.verify('correct horse batterY', stored.passwordHash), false);
  });

  it('keeps a blank or missing display name as null', async () => {
    const { accounts } = await authServices();
    const blank = await accounts.register({
      email: 'a@example.com',
      password: 'x'.repeat(8),
      displayName: '   ',
    });
    const missing = await accounts.register({ email: 'b@example.com', password: 'x'.repeat(8) });
    assert.equal(blank.displayName, null);
    assert.equal(missing.displayName, null);
  });

  it('refuses a second account for the same email in any case, and keeps the first', async () => {
    const { accounts, users } = await authServices();
    const first = await accounts.register({
      email: 'grace@example.com',
      password: 'first password',
    });
    await assert.rejects(
      accounts.register({ email: ' GRACE@example.com', password: 'second password' }),
      isCode('CONFLICT'),
    );
    assert.deepEqual(
      users.all().map((u) => u.id),
      [first.id],
    );
  });

  it("answers the caller's profile, and UNAUTHENTICATED once the account is gone", async () => {
    const { accounts, users } = await authServices();
    const user = await accounts.register({
      email: 'linus@example.com',
      password: 'a long password',
    });
    assert.deepEqual(await accounts.profile(user.id), user);
    users.remove(user.id);
    await assert.rejects(accounts.profile(user.id), isCode('UNAUTHENTICATED', /no longer exists/));
    await assert.rejects(accounts.profile('not-an-id'), isCode('UNAUTHENTICATED'));
  });
});
