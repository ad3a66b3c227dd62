import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../repository/index.js';
import { QuotaRepository, type QuotaLimits, type QuotaUsage } from './quota.repository.js';
import { QuotaDay } from './quota.schema.js';

const DAY_MS = 86_400_000;
/** How long a day's usage is kept after the day ends (uploads declared late that day settle). */
const KEEP_AFTER_DAY_MS = 2 * DAY_MS;

/** The UTC day's start, or a programming error for anything but a real YYYY-MM-DD. */
function dayStart(day: string): Date {
  const value = String(day);
  const start = new Date(`${value}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || start.toISOString().slice(0, 10) !== value) {
    throw new RangeError(`invalid quota day ${value}`);
  }
  return start;
}

/** An amount from the caller: a non-negative integer, or a programming error. */
function amount(value: number, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid quota ${what} ${value}`);
  return n;
}

const quotaId = (ownerId: string, day: string): string => `${String(ownerId)}:${day}`;

@Injectable()
export class MongooseQuotaRepository extends QuotaRepository {
  constructor(@InjectModel(QuotaDay.name) private readonly days: Model<QuotaDay>) {
    super();
  }

  async reserve(
    ownerId: string,
    day: string,
    files: number,
    bytes: number,
    limits: QuotaLimits,
  ): Promise<boolean> {
    const start = dayStart(day);
    const addFiles = amount(files, 'files');
    const addBytes = amount(bytes, 'bytes');
    const maxFiles = Number(limits.files);
    const maxBytes = Number(limits.bytes);
    // The upsert's insert ignores the range conditions: a request over the limit on its own
    // must never reach it (it would create the day already over the limit).
    if (!(addFiles <= maxFiles && addBytes <= maxBytes)) return false;

    const id = quotaId(ownerId, day);
    const filter = {
      _id: id,
      files: { $lte: maxFiles - addFiles },
      bytes: { $lte: maxBytes - addBytes },
    };
    const update = {
      $inc: { files: addFiles, bytes: addBytes },
      $setOnInsert: {
        ownerId: String(ownerId),
        day,
        purgeAt: new Date(start.getTime() + DAY_MS + KEEP_AFTER_DAY_MS),
      },
    };
    try {
      const result = await this.days.updateOne(filter, update, { upsert: true }).exec();
      return result.matchedCount + result.upsertedCount === 1;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    // E11000: the day's document exists, so the filter failed on the limits, or a concurrent
    // first reservation inserted it between our match and our insert. The same conditional
    // update without upsert tells them apart (the document is there now).
    const retried = await this.days.updateOne(filter, { $inc: update.$inc }).exec();
    return retried.matchedCount === 1;
  }

  async release(ownerId: string, day: string, files: number, bytes: number): Promise<void> {
    const subFiles = amount(files, 'files');
    const subBytes = amount(bytes, 'bytes');
    // Guarded so that neither counter ever goes below zero.
    await this.days
      .updateOne(
        {
          _id: quotaId(ownerId, String(day)),
          files: { $gte: subFiles },
          bytes: { $gte: subBytes },
        },
        { $inc: { files: -subFiles, bytes: -subBytes } },
      )
      .exec();
  }

  async usage(ownerId: string, day: string): Promise<QuotaUsage> {
    const value = String(day);
    const doc = await this.days
      .findOne({ _id: quotaId(ownerId, value) }, { files: 1, bytes: 1 })
      .lean<Pick<QuotaDay, '_id' | 'files' | 'bytes'>>()
      .exec();
    return { day: value, files: doc?.files ?? 0, bytes: doc?.bytes ?? 0 };
  }
}
