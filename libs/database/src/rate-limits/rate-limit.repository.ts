import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../repository/index.js';
import { RateLimit } from './rate-limit.schema.js';

export interface RateLimitCounter {
  hits: number;
  windowEndsAt: Date;
  blockedUntil: Date | null;
}

const toCounter = (doc: RateLimit): RateLimitCounter => ({
  hits: doc.hits,
  windowEndsAt: doc.windowEndsAt,
  blockedUntil: doc.blockedUntil ?? null,
});

// A fresh insert can lose to a concurrent one at most a couple of times in a row.
const MAX_ATTEMPTS = 4;

/** Fixed-window counters shared by every API replica. What callers inject. */
export abstract class RateLimitRepository {
  /**
   * Counts `count` hits (one unless told) against `key` in one atomic step and returns the
   * counter after them. A window that has ended restarts with `hits = count`. A caller claiming a
   * share of the budget passes its size as `count`.
   */
  abstract hit(key: string, windowMs: number, now: Date, count?: number): Promise<RateLimitCounter>;
  /** Blocks `key` until `until`, unless a block already running ends later; returns the end. */
  abstract block(key: string, until: Date, now: Date): Promise<Date>;
}

// Each step is one atomic single-document update with plain operators, so concurrent hits from
// any replica are counted exactly once.
@Injectable()
export class MongooseRateLimitRepository extends RateLimitRepository {
  constructor(@InjectModel(RateLimit.name) private readonly limits: Model<RateLimit>) {
    super();
  }

  async hit(key: string, windowMs: number, now: Date, count = 1): Promise<RateLimitCounter> {
    const id = String(key);
    // A number, never an operator document: it goes into $inc and $set as it is.
    const hits = Number(count);
    if (!Number.isSafeInteger(hits) || hits < 1) {
      throw new RangeError(`rate limit hit count must be a positive integer, got ${String(count)}`);
    }
    const windowEndsAt = new Date(now.getTime() + windowMs);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // Common case: the window is running, count the hits.
      const running = await this.limits
        .findOneAndUpdate(
          { _id: id, windowEndsAt: { $gt: now } },
          { $inc: { hits } },
          { returnDocument: 'after' },
        )
        .lean<RateLimit>()
        .exec();
      if (running !== null) return toCounter(running);
      // The window has ended: exactly one caller restarts it; the others see it running.
      const restarted = await this.limits
        .findOneAndUpdate(
          { _id: id, windowEndsAt: { $lte: now } },
          { $set: { hits, windowEndsAt }, $max: { expiresAt: windowEndsAt } },
          { returnDocument: 'after' },
        )
        .lean<RateLimit>()
        .exec();
      if (restarted !== null) return toCounter(restarted);
      try {
        await this.limits.create({
          _id: id,
          hits,
          windowEndsAt,
          blockedUntil: null,
          expiresAt: windowEndsAt,
        });
        return { hits, windowEndsAt, blockedUntil: null };
      } catch (error) {
        // Another replica created it first: count against that record.
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    throw new Error(`rate limit counter ${id} kept changing under contention`);
  }

  async block(key: string, until: Date, now: Date): Promise<Date> {
    const doc = await this.limits
      .findOneAndUpdate(
        { _id: String(key), $or: [{ blockedUntil: null }, { blockedUntil: { $lte: now } }] },
        { $set: { blockedUntil: until }, $max: { expiresAt: until } },
        { returnDocument: 'after' },
      )
      .lean<RateLimit>()
      .exec();
    if (doc !== null) return until;
    const current = await this.limits
      .findOne({ _id: String(key) })
      .lean<RateLimit>()
      .exec();
    return current?.blockedUntil ?? until;
  }
}
