import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAuthRepositories, type AuthRepositoriesFixture } from './auth-repositories.js';
import { RefreshTokenRepository } from '../src/refresh-tokens/refresh-token.repository.js';

const hour = 3_600_000;

describe('RefreshTokenRepository against MongoDB', () => {
  let fixture: AuthRepositoriesFixture;
  let tokens: RefreshTokenRepository;
  const token = (
    tokenHash: string,
    familyId = 'family-1',
    expiresAt = new Date(Date.now() + hour),
  ) => tokens.create({ userId: 'user-1', familyId, tokenHash, expiresAt });

  before(async () => {
    fixture = await startAuthRepositories();
    tokens = fixture.moduleRef.get(RefreshTokenRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('lets exactly one of many concurrent consumers spend a token', async () => {
    await token('hash-race');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => tokens.consume('hash-race', new Date())),
    );
    assert.equal(results.filter((r) => r !== null).length, 1);
    const spent = await tokens.findByHash('hash-race');
    assert.ok(spent?.usedAt instanceof Date);
  });

  it('does not consume expired or revoked tokens', async () => {
    await token('hash-expired', 'family-x', new Date(Date.now() - 1_000));
    assert.equal(await tokens.consume('hash-expired', new Date()), null);
    await token('hash-revoked', 'family-r');
    assert.equal(await tokens.revokeFamily('family-r', new Date()), 1);
    assert.equal(await tokens.consume('hash-revoked', new Date()), null);
  });

  it('revokes a whole family and reports it', async () => {
    await token('f2-a', 'family-2');
    await token('f2-b', 'family-2');
    await token('f3-a', 'family-3');
    assert.equal(await tokens.isFamilyRevoked('family-2'), false);
    assert.equal(await tokens.revokeFamily('family-2', new Date()), 2);
    assert.equal(await tokens.isFamilyRevoked('family-2'), true);
    assert.equal(await tokens.isFamilyRevoked('family-3'), false);
    assert.equal(await tokens.revokeFamily('family-2', new Date()), 0);
  });

  it('never treats a smuggled object as a query', async () => {
    await token('hash-safe');
    const operator = { $ne: null } as unknown as string;
    assert.equal(await tokens.consume(operator, new Date()), null);
    assert.equal(await tokens.findByHash(operator), null);
  });
});
