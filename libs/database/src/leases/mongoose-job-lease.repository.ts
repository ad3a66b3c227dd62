import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../repository/index.js';
import {
  JobLeaseRepository,
  type JobLease,
  type LeaseAcquisition,
  type LeaseRelease,
  type LeaseTerms,
} from './job-lease.repository.js';
import { StoredLease } from './job-lease.schema.js';

type LeanLease = StoredLease;

const toJobLease = (doc: LeanLease): JobLease => ({
  job: doc._id,
  owner: doc.owner,
  fence: doc.fence,
  until: doc.until,
});

/** A duration in ms; one that is not a non-negative number is a programming error. */
function duration(ms: number, what: string): number {
  const value = Number(ms);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`invalid ${what} ${String(ms)}`);
  return value;
}

const leaseEnd = (now: Date, ttlMs: number): Date =>
  new Date(now.getTime() + duration(ttlMs, 'lease TTL'));

@Injectable()
export class MongooseJobLeaseRepository extends JobLeaseRepository {
  constructor(@InjectModel(StoredLease.name) private readonly leases: Model<StoredLease>) {
    super();
  }

  async acquire(
    job: string,
    owner: string,
    now: Date,
    terms: LeaseTerms,
  ): Promise<LeaseAcquisition> {
    const until = leaseEnd(now, terms.ttlMs);
    const dueFrom = new Date(now.getTime() - duration(terms.gapMs, 'run gap'));
    try {
      // Matches a free lease (released or expired) of a job that is due; with no document, the
      // upsert inserts the job's first one (fence 1). When the document exists but does not
      // match, the upsert's insert collides on _id: that E11000 is the refusal, nothing changed.
      const doc = await this.leases
        .findOneAndUpdate(
          {
            _id: String(job),
            until: { $lte: now },
            // null also matches a document written before the field existed.
            $or: [
              { lastCompletedRunStartedAt: null },
              { lastCompletedRunStartedAt: { $lte: dueFrom } },
            ],
          },
          {
            $set: { owner: String(owner), until },
            $inc: { fence: 1 },
            $setOnInsert: { lastCompletedAt: null, lastCompletedRunStartedAt: null },
          },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<LeanLease>()
        .exec();
      if (doc !== null) return { lease: toJobLease(doc) };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    return { lease: null, refused: await this.refusal(String(job), now) };
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

  async release(lease: JobLease, now: Date, end: LeaseRelease): Promise<void> {
    // Owner and fence alone: a takeover always has a higher fence, so a late release never
    // touches the new holder's lease. An expired lease nobody took is still this run's: its
    // completion counts (nobody else ran the job meanwhile), and $min never moves `until` later
    // than it already was, so a repeated release never holds the job again.
    await this.leases
      .updateOne(
        { _id: String(lease.job), owner: String(lease.owner), fence: Number(lease.fence) },
        {
          $min: { until: now },
          ...(end.completed
            ? {
                $set: { lastCompletedAt: now, lastCompletedRunStartedAt: end.startedAt },
              }
            : {}),
        },
      )
      .exec();
  }

  /** Why an acquisition at `now` was refused, read back after the fact. */
  private async refusal(job: string, now: Date): Promise<'held' | 'not_due'> {
    const doc = await this.leases
      .findById(job, { until: 1 })
      .lean<Pick<LeanLease, '_id' | 'until'>>()
      .exec();
    // A lease still running is held; one that is free was refused for not being due.
    return doc !== null && doc.until > now ? 'held' : 'not_due';
  }
}
