export interface QuotaLimits {
  files: number;
  bytes: number;
}

export interface QuotaUsage {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  files: number;
  bytes: number;
}

/**
 * Daily quotas per owner (collection `quota_days`, `_id = ownerId:YYYY-MM-DD`), reserved with one
 * conditional atomic update so that concurrent declares on any replica never exceed the limit.
 */
export abstract class QuotaRepository {
  /**
   * Adds `files` and `bytes` (non-negative integers) to the owner's day (`YYYY-MM-DD`, UTC)
   * when the result stays within `limits`: one conditional upsert. Its duplicate key means the
   * day's document exists (over the limit, or created by a concurrent first reservation): the
   * same conditional update without upsert then decides. False when it would exceed the limits,
   * also for a request over them on its own; nothing changes then. The day's document is purged
   * two days after the day ends.
   */
  abstract reserve(
    ownerId: string,
    day: string,
    files: number,
    bytes: number,
    limits: QuotaLimits,
  ): Promise<boolean>;

  /**
   * Gives a reservation back (a rejected or abandoned upload) to the day it was charged to. Never
   * below zero: a release larger than what the day holds changes nothing.
   */
  abstract release(ownerId: string, day: string, files: number, bytes: number): Promise<void>;

  /** The owner's usage on `day`; zeros for a day without reservations. */
  abstract usage(ownerId: string, day: string): Promise<QuotaUsage>;
}
