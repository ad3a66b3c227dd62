// Polling for tests: wait for a condition with a deadline instead of sleeping a fixed time.
import { AssertionError } from 'node:assert/strict';

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
