// Waiting for the session owner to approve this device: RFC 8628 polling of POST /v1/pairings/poll.

import { CliError, EXIT } from '../core/errors.ts';
import { retryAfterOf, type Clock, type Requester } from './clock.ts';
import type { ActiveClaim } from './types.ts';

const SLOW_DOWN_STEP_S = 5; // RFC 8628 §3.5
// Timer and network jitter must never make a poll look early to the server.
const SLACK_MS = 250;
// Without a Retry-After, a refused poll (429, 503, no answer) waits this much at least.
const BUSY_WAIT_S = 10;

export interface PollOptions {
  readonly api: Requester;
  readonly pollSecret: string;
  /** Seconds between polls, from the 202 claim answer. */
  readonly interval: number;
  readonly deviceName: string;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** The wait between polls is now `seconds` (at the start and after each SLOW_DOWN). */
  readonly onInterval?: (seconds: number) => void;
  /** A poll failed and will be retried after `seconds` (rate limit, outage). */
  readonly onRetry?: (error: CliError, seconds: number) => void;
}

/**
 * Polls until the owner decides: never faster than `interval`, 5 s slower after each SLOW_DOWN,
 * waiting out rate limits (Retry-After) and outages. Resolves the active claim; rejects with a
 * CliError when the owner declined (exit 3), or the wait or the session ended (exit 6).
 */
export async function waitForApproval(options: PollOptions): Promise<ActiveClaim> {
  const { api, clock, signal } = options;
  let interval = Math.max(1, options.interval);
  let wait = interval;
  options.onInterval?.(interval);
  for (;;) {
    await clock.sleep(wait * 1000 + SLACK_MS, signal);
    wait = interval;
    try {
      return await api.request<ActiveClaim>(
        'POST',
        '/v1/pairings/poll',
        { pollSecret: options.pollSecret },
        { signal },
      );
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      if (error.code === 'AUTHORIZATION_PENDING') continue;
      if (error.code === 'SLOW_DOWN') {
        interval += SLOW_DOWN_STEP_S;
        wait = interval;
        options.onInterval?.(interval);
        continue;
      }
      if (error.code === 'FORBIDDEN') {
        throw new CliError('The owner declined this device.', EXIT.AUTH, 'DEVICE_REJECTED');
      }
      if (error.code === 'UNAUTHENTICATED') {
        throw new CliError(
          `The owner did not approve ${options.deviceName} in time: the wait for approval has expired. Pair again with a new code.`,
          EXIT.GONE,
          'APPROVAL_EXPIRED',
        );
      }
      if (error.code === 'SESSION_EXPIRED') {
        throw new CliError(
          'The sharing session ended before the owner approved this device.',
          EXIT.GONE,
          'SESSION_EXPIRED',
        );
      }
      if (error.exitCode === EXIT.LIMITED || error.exitCode === EXIT.UNAVAILABLE) {
        wait = Math.max(interval, retryAfterOf(error) ?? BUSY_WAIT_S);
        options.onRetry?.(error, wait);
        continue;
      }
      throw error;
    }
  }
}
