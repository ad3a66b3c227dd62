// The server's clock as this tab best knows it. Expiry times (presigned URLs, pairings, the
// session's end) are the server's; a device whose clock runs minutes fast or slow must still
// compare them against the server's "now". Every API answer's Date header (1 s resolution)
// keeps the offset current.

let offsetMs = 0;

/** Epoch milliseconds on the server's clock. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

/**
 * Learns the offset from a Date header received at `receivedAt` (local clock) for a request
 * sent at `sentAt`. The header is truncated to the second, so its middle (+500 ms) is the best
 * guess; the request's round trip bounds when the server wrote it.
 */
export function noteServerDate(header: string | null, sentAt: number, receivedAt: number): void {
  if (header === null) return;
  const date = Date.parse(header);
  if (Number.isNaN(date)) return;
  const midpoint = (sentAt + receivedAt) / 2;
  offsetMs = Math.round(date + 500 - midpoint);
}

/** For tests: forget what was learnt. */
export function resetServerClock(): void {
  offsetMs = 0;
}
