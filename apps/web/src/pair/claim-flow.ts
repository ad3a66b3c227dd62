import { ApiError, type Api } from '../api/client';
import { sleep } from '../api/sleep';
import type { ActiveClaim, Claim } from '../api/types';

export type Credential = { secret: string } | { code: string };

/** POST /v1/pairings/claim: a token at once (201), or a pending device to poll for (202). */
export function claim(api: Api, credential: Credential, deviceName: string): Promise<Claim> {
  return api.post<Claim>('/v1/pairings/claim', { ...credential, deviceName });
}

/** How a wait for approval ended without a token. */
export type PollEnd = 'declined' | 'expired' | 'session_ended';

export class PollEnded extends Error {
  constructor(readonly reason: PollEnd) {
    super(reason);
  }
}

const SLOW_DOWN_STEP_S = 5; // RFC 8628 §3.5
// A little slack, so that timer and network jitter never make a poll look early.
const SLACK_MS = 250;

interface PollOptions {
  api: Api;
  pollSecret: string;
  interval: number;
  expiresAt: string;
  signal: AbortSignal;
  /** The interval grew (SLOW_DOWN): remember it across a reload. */
  onInterval: (seconds: number) => void;
}

/**
 * Polls POST /v1/pairings/poll per RFC 8628 until the owner decides: no faster than `interval`,
 * 5 s slower after each SLOW_DOWN, waiting out rate limits and outages. Resolves the active
 * claim, or rejects with PollEnded (declined, not approved in time, session over).
 */
export async function waitForApproval(options: PollOptions): Promise<ActiveClaim> {
  const { pollSecret, signal, expiresAt } = options;
  let interval = Math.max(1, options.interval);
  let extraWait = 0;
  const deadline = Date.parse(expiresAt);
  for (;;) {
    await sleep((interval + extraWait) * 1000 + SLACK_MS, signal);
    extraWait = 0;
    // By the server's clock (the phone's may be minutes off); the server's 401 says it too.
    if (options.api.now() > deadline) throw new PollEnded('expired');
    try {
      return await options.api.post<ActiveClaim>('/v1/pairings/poll', { pollSecret }, { signal });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'AUTHORIZATION_PENDING') continue;
      if (error.code === 'SLOW_DOWN') {
        interval = Math.max(interval + SLOW_DOWN_STEP_S, error.problem?.interval ?? 0);
        options.onInterval(interval);
      } else if (error.status === 403) {
        throw new PollEnded('declined');
      } else if (error.status === 401) {
        throw new PollEnded('expired');
      } else if (error.status === 410) {
        throw new PollEnded('session_ended');
      } else if (error.status === 0 || error.status === 429 || error.status >= 500) {
        extraWait = Math.max(error.retryAfterSeconds ?? 0, interval); // offline or busy: keep going
      } else {
        throw error;
      }
    }
  }
}
