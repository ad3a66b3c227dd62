// Small helpers shared by the operational e2e specs (fault tests, embedded default, worker).
import { AssertionError } from 'node:assert/strict';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Root of the compiled tree these specs run from (dist/ or OUT_DIR). */
export const compiledRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A port that was free a moment ago (bound to 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export interface Probe {
  status: number;
  body: unknown;
  headers: Headers;
  elapsedMs: number;
}

/** GET with a hard client-side bound, so a hanging server fails the test instead of stalling it. */
export async function probe(url: string, timeoutMs = 10_000): Promise<Probe> {
  const started = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (e.g. /metrics): keep the text.
  }
  return { status: res.status, body, headers: res.headers, elapsedMs: performance.now() - started };
}

/**
 * Polls `check` until it returns a value other than undefined, or fails after `deadlineMs`.
 * Other errors count as "not yet"; a failed assertion inside `check` ends the wait at once.
 */
export async function eventually<T>(
  what: string,
  deadlineMs: number,
  check: () => Promise<T | undefined>,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof AssertionError) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${what} did not happen within ${String(deadlineMs)} ms${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Terminus detail of one indicator (`mongo`, `storage`) from a /health/ready body. */
export function indicatorStatus(body: unknown, key: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { info, error, details } = body as Record<string, Record<string, { status?: string }>>;
  return (details?.[key] ?? info?.[key] ?? error?.[key])?.status;
}

/** Why a suite is skipped when the backends are real services we must not stop. */
export const EXTERNAL_SKIP_REASON =
  'fault injection needs the devstack: MONGODB_URI / S3_ENDPOINT point at real services';
