// The seams the receive flow is tested through: time, and the API's request method.

import { setTimeout as delay } from 'node:timers/promises';

/** What receive needs of core/client.ts's Client (so specs can pass a fake). */
export interface Requester {
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { signal?: AbortSignal; expect?: number[] },
  ): Promise<T>;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

/** Retry-After seconds carried by an API error, when the client kept them. */
export function retryAfterOf(error: unknown): number | undefined {
  const seconds = (error as { retryAfter?: unknown } | null)?.retryAfter;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? seconds
    : undefined;
}
