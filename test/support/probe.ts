// HTTP probes for tests: a GET with a hard client-side bound, and readers of Terminus bodies.

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

/** Terminus detail of one indicator (`mongo`, `storage`) from a /health/ready body. */
export function indicatorStatus(body: unknown, key: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { info, error, details } = body as Record<string, Record<string, { status?: string }>>;
  return (details?.[key] ?? info?.[key] ?? error?.[key])?.status;
}
