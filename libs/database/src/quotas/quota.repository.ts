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
   * Adds `files` and `bytes` to the owner's day when the result stays within `limits` (one
   * conditional upsert; a refused upsert's duplicate key means "over the limit"). False when it
   * would exceed them; nothing changes then.
   */
  abstract reserve(
    ownerId: string,
    day: string,
    files: number,
    bytes: number,
    limits: QuotaLimits,
  ): Promise<boolean>;

  /** Gives a reservation back (a rejected or abandoned upload); never below zero. */
  abstract release(ownerId: string, day: string, files: number, bytes: number): Promise<void>;

  abstract usage(ownerId: string, day: string): Promise<QuotaUsage>;
}
