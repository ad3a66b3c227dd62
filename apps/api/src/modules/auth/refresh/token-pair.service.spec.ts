import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppError } from '@app/common';
import { authServices } from '../../../../../../test/support/fakes/auth-services.js';

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
const subject = { userId: 'u-1', email: 'ada@example.com' };
const emailOf = (userId: string): Promise<string> =>
  Promise.resolve(userId === subject.userId ? subject.email : 'someone@example.com');
const refused = (err: unknown): boolean =>
  err instanceof AppError &&
  err.code === 'UNAUTHENTICATED' &&
  err.message === 'Invalid or expired refresh token';

describe('TokenPairService', () => {
  it('issues a new family per login and stores only the SHA-256 of the refresh token', async () => {
    const { pairs, tokens, config } = await authServices();
    const before = Date.now();
    const a = await pairs.issue(subject);
    const b = await pairs.issue(subject);
    assert.match(a.refreshToken, /^[\w-]{43}$/);
    const [ta, tb] = tokens.all();
    assert.ok(ta !== undefined && tb !== undefined);
    assert.notEqual(ta.familyId, tb.familyId);
    assert.equal(ta.tokenHash, sha256(a.refreshToken));
    assert.equal(tb.tokenHash, sha256(b.refreshToken));
    const ttlMs = config.auth.refreshTokenTtlSeconds * 1000;
    assert.ok(ta.expiresAt.getTime() >= before + ttlMs);
    assert.ok(ta.expiresAt.getTime() <= Date.now() + ttlMs);
  });

  it('rotates: a refresh spends the token and issues the next one in the same family', async () => {
    const { pairs, tokens } = await authServices();
    const first = await pairs.issue(subject);
    const second = await pairs.refresh(first.refreshToken, emailOf);
    const [spent, next] = tokens.all();
    assert.ok(spent !== undefined && next !== undefined);
    assert.notEqual(spent.usedAt, null);
    assert.equal(next.familyId, spent.familyId);
    assert.equal(next.tokenHash, sha256(second.refreshToken));
    assert.equal(next.usedAt, null);
    assert.equal(tokens.all().filter((t) => t.revokedAt !== null).length, 0);
  });

  it('a spent token coming back revokes its whole family and nothing else', async () => {
    const { pairs, tokens, warnings } = await authServices();
    const first = await pairs.issue(subject);
    const other = await pairs.issue(subject);
    const second = await pairs.refresh(first.refreshToken, emailOf);

    await assert.rejects(pairs.refresh(first.refreshToken, emailOf), refused);
    const family = tokens.family(tokens.all()[0]?.familyId ?? '');
    assert.equal(family.length, 2);
    assert.ok(family.every((t) => t.revokedAt !== null));
    assert.deepEqual(warnings, ['refresh token reuse detected; family of user u-1 revoked']);
    // The thief's copy and the owner's current token die alike; the other login lives on.
    await assert.rejects(pairs.refresh(second.refreshToken, emailOf), refused);
    assert.equal((await pairs.refresh(other.refreshToken, emailOf)).tokenType, 'Bearer');
  });

  it('of two concurrent refreshes with one token exactly one rotates, and the family dies', async () => {
    const { pairs, tokens } = await authServices();
    const pair = await pairs.issue(subject);
    const familyId = tokens.all()[0]?.familyId ?? '';
    const results = await Promise.allSettled([
      pairs.refresh(pair.refreshToken, emailOf),
      pairs.refresh(pair.refreshToken, emailOf),
    ]);
    // The loser saw a spent token and revoked the family while the winner was issuing: the
    // winner's check after issuing catches it, so neither caller leaves with a live token.
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    for (const r of results) if (r.status === 'rejected') assert.ok(refused(r.reason));
    const family = tokens.family(familyId);
    assert.equal(family.length, 2, 'exactly one successor was issued');
    assert.equal(family.filter((t) => t.usedAt !== null).length, 1, 'the token was spent once');
    assert.ok(family.every((t) => t.revokedAt !== null));
  });

  it('refuses unknown, expired and logged-out tokens without touching any family', async () => {
    const { pairs, tokens } = await authServices();
    const live = await pairs.issue(subject);
    await assert.rejects(pairs.refresh('never issued', emailOf), refused);

    await tokens.create({
      userId: subject.userId,
      familyId: 'expired-family',
      tokenHash: sha256('expired-token'),
      expiresAt: new Date(Date.now() - 1000),
    });
    await assert.rejects(pairs.refresh('expired-token', emailOf), refused);
    assert.deepEqual(
      tokens.all().map((t) => [t.usedAt, t.revokedAt]),
      [
        [null, null],
        [null, null],
      ],
    );

    await pairs.logout(live.refreshToken);
    await assert.rejects(pairs.refresh(live.refreshToken, emailOf), refused);
    // Logging out an unknown token is not an error and revokes nothing.
    await pairs.logout('never issued');
    assert.equal(tokens.all().filter((t) => t.revokedAt !== null).length, 1);
  });
});
