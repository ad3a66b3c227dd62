import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '@app/common';
import { startAuthRepositories, type AuthRepositoriesFixture } from './auth-repositories.js';
import { UserRepository } from '../src/users/user.repository.js';

describe('UserRepository against MongoDB', () => {
  let fixture: AuthRepositoriesFixture;
  let users: UserRepository;

  before(async () => {
    fixture = await startAuthRepositories();
    users = fixture.moduleRef.get(UserRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('creates and finds accounts as plain records', async () => {
    const created = await users.create({
      email: 'ada@example.com',
      passwordHash: 'h',
      displayName: null,
    });
    assert.match(created.id, /^[0-9a-f]{24}$/);
    assert.deepEqual(await users.findById(created.id), created);
    assert.deepEqual(await users.findByEmail('ada@example.com'), created);
    assert.equal(await users.findById('not-an-id'), null);
  });

  it('turns a taken email into a CONFLICT', async () => {
    await users.create({ email: 'bob@example.com', passwordHash: 'h', displayName: null });
    await assert.rejects(
      users.create({ email: 'bob@example.com', passwordHash: 'h2', displayName: 'Bob' }),
      (error: unknown) => error instanceof AppError && error.code === 'CONFLICT',
    );
  });

  it('never treats a smuggled object as a query', async () => {
    await users.create({ email: 'carol@example.com', passwordHash: 'h', displayName: null });
    assert.equal(await users.findByEmail({ $gt: '' } as unknown as string), null);
  });
});
