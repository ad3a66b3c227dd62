import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { LeanDoc } from '../repository/index.js';
import { RefreshToken } from './refresh-token.schema.js';

export interface RefreshTokenRecord {
  id: string;
  userId: string;
  familyId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
}

type LeanRefreshToken = LeanDoc<RefreshToken>;

const toRefreshTokenRecord = (doc: LeanRefreshToken): RefreshTokenRecord => ({
  id: doc._id.toHexString(),
  userId: doc.userId,
  familyId: doc.familyId,
  expiresAt: doc.expiresAt,
  usedAt: doc.usedAt ?? null,
  revokedAt: doc.revokedAt ?? null,
});

/** Refresh tokens, stored by hash. What callers inject: plain records in and out. */
export abstract class RefreshTokenRepository {
  abstract create(token: NewRefreshToken): Promise<RefreshTokenRecord>;
  /**
   * Marks a live token as used and returns it, in one conditional update: of two concurrent
   * refreshes with the same token exactly one gets it back, the other gets null.
   */
  abstract consume(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null>;
  abstract findByHash(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Revokes every not-yet-revoked token of a family; returns how many were revoked. */
  abstract revokeFamily(familyId: string, now: Date): Promise<number>;
  /** True once any token of the family has been revoked (reuse detected or logged out). */
  abstract isFamilyRevoked(familyId: string): Promise<boolean>;
}

@Injectable()
export class MongooseRefreshTokenRepository extends RefreshTokenRepository {
  constructor(@InjectModel(RefreshToken.name) private readonly tokens: Model<RefreshToken>) {
    super();
  }

  async create(token: NewRefreshToken): Promise<RefreshTokenRecord> {
    const doc = await this.tokens.create({ ...token, usedAt: null, revokedAt: null });
    return toRefreshTokenRecord(doc.toObject<LeanRefreshToken>());
  }

  async consume(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null> {
    const doc = await this.tokens
      .findOneAndUpdate(
        { tokenHash: String(tokenHash), usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
        { $set: { usedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<LeanRefreshToken>()
      .exec();
    return doc === null ? null : toRefreshTokenRecord(doc);
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const doc = await this.tokens
      .findOne({ tokenHash: String(tokenHash) })
      .lean<LeanRefreshToken>()
      .exec();
    return doc === null ? null : toRefreshTokenRecord(doc);
  }

  async revokeFamily(familyId: string, now: Date): Promise<number> {
    const result = await this.tokens
      .updateMany({ familyId: String(familyId), revokedAt: null }, { $set: { revokedAt: now } })
      .exec();
    return result.modifiedCount;
  }

  async isFamilyRevoked(familyId: string): Promise<boolean> {
    const doc = await this.tokens
      .exists({ familyId: String(familyId), revokedAt: { $ne: null } })
      .exec();
    return doc !== null;
  }
}
