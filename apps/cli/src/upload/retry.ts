// Waiting between tries: exponential backoff (1 s, 2 s, 4 s … at most 15 s), cut short by Ctrl-C.
export const MAX_TRIES = 6;

export function backoff(attempt: number): number {
  return Math.min(1000 * 2 ** attempt, 15_000);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
