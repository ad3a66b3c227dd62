import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../repository/index.js';
import { LoginAttempt } from './login-attempt.schema.js';

/** Failed-login bookkeeping of one account. */
export interface LoginAttemptRecord {
  /** Attempts counted since the last good login. */
  failures: number;
  /** No password is checked before this. */
  nextAttemptAt: Date;
  /** Forgotten after this (a reader treats a record past it as absent). */
  expiresAt: Date;
}

const toRecord = (doc: LoginAttempt): LoginAttemptRecord => ({
  failures: doc.failures,
  nextAttemptAt: doc.nextAttemptAt,
  expiresAt: doc.expiresAt,
});

/**
 * Per-account failed-login counters shared by every API replica. What callers inject. The caller
 * owns the policy; this stores it with compare-and-set, so concurrent attempts on one account
 * (from any replica) are counted exactly once each.
 */
export abstract class LoginAttemptRepository {
  abstract find(key: string): Promise<LoginAttemptRecord | null>;
  /**
   * Writes `next` if the record is still exactly `expected` (null: if there is none), in one
   * atomic update; false when another attempt changed it first (the caller re-reads and retries).
   */
  abstract replace(
    key: string,
    expected: LoginAttemptRecord | null,
    next: LoginAttemptRecord,
  ): Promise<boolean>;
  /** Forgets the account's count (a good login). */
  abstract clear(key: string): Promise<void>;
}

@Injectable()
export class MongooseLoginAttemptRepository extends LoginAttemptRepository {
  constructor(@InjectModel(LoginAttempt.name) private readonly attempts: Model<LoginAttempt>) {
    super();
  }

  async find(key: string): Promise<LoginAttemptRecord | null> {
    const doc = await this.attempts
      .findOne({ _id: String(key) })
      .lean<LoginAttempt>()
      .exec();
    return doc === null ? null : toRecord(doc);
  }

  async replace(
    key: string,
    expected: LoginAttemptRecord | null,
    next: LoginAttemptRecord,
  ): Promise<boolean> {
    const fields = {
      failures: Number(next.failures),
      nextAttemptAt: new Date(next.nextAttemptAt),
      expiresAt: new Date(next.expiresAt),
    };
    if (expected === null) {
      try {
        await this.attempts.create({ _id: String(key), ...fields });
        return true;
      } catch (error) {
        // Another attempt created it first.
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    const result = await this.attempts
      .updateOne(
        {
          _id: String(key),
          failures: Number(expected.failures),
          nextAttemptAt: new Date(expected.nextAttemptAt),
        },
        { $set: fields },
      )
      .exec();
    return result.matchedCount === 1;
  }

  async clear(key: string): Promise<void> {
    await this.attempts.deleteOne({ _id: String(key) }).exec();
  }
}
