import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../repository/index.js';
import { JobLeaseRepository, type JobLease, type JobLeaseState } from './job-lease.repository.js';
import { StoredLease } from './job-lease.schema.js';

type LeanLease = StoredLease;

const toJobLease = (doc: LeanLease): JobLease => ({
  job: doc._id,
  owner: doc.owner,
  fence: doc.fence,
  until: doc.until,
});

/** `now + ttlMs`; a TTL that is not a non-negative number is a programming error. */
function leaseEnd(now: Date, ttlMs: number): Date {
  const ms = Number(ttlMs);
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`invalid lease TTL ${ttlMs}`);
  return new Date(now.getTime() + ms);
}

@Injectable()
export class MongooseJobLeaseRepository extends JobLeaseRepository {
  constructor(@InjectModel(StoredLease.name) private readonly leases: Model<StoredLease>) {
    super();
  }

  async acquire(job: string, owner: string, now: Date, ttlMs: number): Promise<JobLease | null> {
    const until = leaseEnd(now, ttlMs);
    try {
      // Matches a free lease (released or expired); with none, the upsert inserts the job's
      // first document (fence 1). When the document exists but is still held, the upsert's
      // insert collides on _id: that E11000 is the refusal, and nothing changed.
      const doc = await this.leases
        .findOneAndUpdate(
          { _id: String(job), until: { $lte: now } },
          {
            $set: { owner: String(owner), until },
            $inc: { fence: 1 },
            $setOnInsert: { lastCompletedAt: null },
          },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<LeanLease>()
        .exec();
      return doc === null ? null : toJobLease(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  async renew(lease: JobLease, now: Date, ttlMs: number): Promise<JobLease | null> {
    const doc = await this.leases
      .findOneAndUpdate(
        {
          _id: String(lease.job),
          owner: String(lease.owner),
          fence: Number(lease.fence),
          until: { $gt: now },
        },
        { $set: { until: leaseEnd(now, ttlMs) } },
        { returnDocument: 'after' },
      )
      .lean<LeanLease>()
      .exec();
    return doc === null ? null : toJobLease(doc);
  }

  async release(lease: JobLease, now: Date, completed: boolean): Promise<void> {
    // Owner and fence alone: a takeover always has a higher fence, so a late release never
    // touches the new holder's lease. An expired lease nobody took is still this run's: its
    // completion counts, and $min never moves `until` later than it already was.
    await this.leases
      .updateOne(
        { _id: String(lease.job), owner: String(lease.owner), fence: Number(lease.fence) },
        {
          $min: { until: now },
          ...(completed ? { $set: { lastCompletedAt: now } } : {}),
        },
      )
      .exec();
  }

  async list(): Promise<JobLeaseState[]> {
    const docs = await this.leases.find({}).sort({ _id: 1 }).lean<LeanLease[]>().exec();
    return docs.map((doc) => ({
      ...toJobLease(doc),
      lastCompletedAt: doc.lastCompletedAt ?? null,
    }));
  }
}
