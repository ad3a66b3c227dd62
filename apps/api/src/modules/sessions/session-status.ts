import type { SessionRecord } from '@app/database';

/** What a client sees: a stored `active` session past its `expiresAt` is `expired` at once. */
export type SessionStatus = 'active' | 'closed' | 'expired';

/**
 * The status of `record` at `now`, whatever the expiry job has done so far: closed if stored
 * closed; expired if stored expired or active with `expiresAt <= now`; else active.
 */
export function effectiveStatus(
  record: Pick<SessionRecord, 'status' | 'expiresAt'>,
  now: Date,
): SessionStatus {
  if (record.status === 'closed') return 'closed';
  if (record.status === 'expired') return 'expired';
  return record.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

/** Whether the session still takes writes and pairings at `now`. */
export const isLive = (record: Pick<SessionRecord, 'status' | 'expiresAt'>, now: Date): boolean =>
  effectiveStatus(record, now) === 'active';
