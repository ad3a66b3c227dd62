const SECOND_MS = 1000;

/**
 * Seconds a presigned URL lives: `ttlSeconds`, but never past any of `deadlines` (an upload's
 * window, the session's expiry), at least one second: a caller checks them before signing.
 */
export function urlLifetimeSeconds(ttlSeconds: number, now: Date, ...deadlines: Date[]): number {
  const left = Math.min(
    ...deadlines.map((d) => Math.floor((d.getTime() - now.getTime()) / SECOND_MS)),
  );
  return Math.max(1, Math.min(ttlSeconds, left));
}
