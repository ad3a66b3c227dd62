// Polls `<base>/health/live` of each app until all answer 200, the deadline passes, or we stop.
const POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 1_000;

async function isLive(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/health/live`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function waitUntilLive(
  bases: readonly string[],
  deadlineMs: number,
  cancelled: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  const pending = new Set(bases);
  while (!cancelled() && Date.now() < deadline) {
    for (const base of [...pending]) if (await isLive(base)) pending.delete(base);
    if (pending.size === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return pending.size === 0;
}
