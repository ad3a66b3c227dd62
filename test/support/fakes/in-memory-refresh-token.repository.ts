// RefreshTokenRepository in process memory, for service specs. Same contract as the MongoDB one
// (libs/database/test/refresh-token.repository.spec.ts): consume() is one check-and-set, so of
// two concurrent calls with the same hash exactly one gets the record.
import { randomBytes } from 'node:crypto';
import {
  RefreshTokenRepository,
  type NewRefreshToken,
  type RefreshTokenRecord,
} from '@app/database';

interface StoredToken extends RefreshTokenRecord {
  tokenHash: string;
}

const toRecord = ({ tokenHash: _hash, ...record }: StoredToken): RefreshTokenRecord => ({
  ...record,
});

export class InMemoryRefreshTokenRepository extends RefreshTokenRepository {
  private readonly tokens: StoredToken[] = [];

  create(token: NewRefreshToken): Promise<RefreshTokenRecord> {
    const stored: StoredToken = {
      id: randomBytes(12).toString('hex'),
      userId: token.userId,
      familyId: token.familyId,
      tokenHash: token.tokenHash,
      expiresAt: token.expiresAt,
      usedAt: null,
      revokedAt: null,
    };
    this.tokens.push(stored);
    return Promise.resolve(toRecord(stored));
  }

  consume(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null> {
    const live = this.tokens.find(
      (t) =>
        t.tokenHash === String(tokenHash) &&
        t.usedAt === null &&
        t.revokedAt === null &&
        t.expiresAt > now,
    );
    if (live === undefined) return Promise.resolve(null);
    live.usedAt = now;
    return Promise.resolve(toRecord(live));
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const found = this.tokens.find((t) => t.tokenHash === String(tokenHash));
    return Promise.resolve(found === undefined ? null : toRecord(found));
  }

  revokeFamily(familyId: string, now: Date): Promise<number> {
    let revoked = 0;
    for (const t of this.tokens) {
      if (t.familyId === String(familyId) && t.revokedAt === null) {
        t.revokedAt = now;
        revoked++;
      }
    }
    return Promise.resolve(revoked);
  }

  isFamilyRevoked(familyId: string): Promise<boolean> {
    return Promise.resolve(
      this.tokens.some((t) => t.familyId === String(familyId) && t.revokedAt !== null),
    );
  }

  /** Test hook: every stored token with its hash, oldest first. */
  all(): (RefreshTokenRecord & { tokenHash: string })[] {
    return this.tokens.map((t) => ({ ...t }));
  }

  /** Test hook: the tokens of one family, oldest first. */
  family(familyId: string): RefreshTokenRecord[] {
    return this.tokens.filter((t) => t.familyId === familyId).map(toRecord);
  }
}
