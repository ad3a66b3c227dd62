// Daily quotas count per UTC day: the day a reservation is charged to and when it resets.

const DAY_MS = 86_400_000;

/** The UTC calendar day of `now` as YYYY-MM-DD (the quota document's key). */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Midnight UTC after `now`: when today's quota resets (`resetsAt`). */
export function nextUtcDayStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
}

/** Whole seconds until the next UTC midnight, at least 1 (for `Retry-After`). */
export function secondsUntilNextUtcDay(now: Date): number {
  return Math.max(1, Math.ceil((nextUtcDayStart(now).getTime() - now.getTime()) / 1000));
}
