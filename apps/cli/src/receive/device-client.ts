// The paired device's API client: its token lives in memory only (never on disk) and is renewed
// through POST /v1/devices/token shortly before it expires, so a long --follow keeps working.

import { bearerClient, type Client, type RequestOptions } from '../core/client.ts';
import { CliError, EXIT } from '../core/errors.ts';
import type { DeviceToken } from './types.ts';

// Renew this long before the expiry at most (a quarter of what is left when that is shorter).
const RENEW_LEAD_MS = 60_000;
const RETRY_MS = 5_000;
const SAME_EXPIRY_MS = 5_000;
const ENDED = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'SESSION_EXPIRED', 'DEVICE_ENDED']);

/** Milliseconds from `now` until the token expiring at `expiresAt` should be renewed. */
export function renewDelay(expiresAt: number, now: number): number {
  const left = expiresAt - now;
  return Math.max(0, left - Math.min(RENEW_LEAD_MS, left / 4));
}

export function deviceEnded(): CliError {
  return new CliError(
    'This device no longer has access: the session was closed or has expired, or the owner removed this device.',
    EXIT.AUTH,
    'DEVICE_ENDED',
  );
}

export class DeviceClient implements Client {
  readonly baseUrl: string;
  #token: DeviceToken;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | null = null;
  #stopped = false;

  constructor(server: string, token: DeviceToken) {
    this.baseUrl = server.replace(/\/+$/, '');
    this.#token = token;
  }

  token(): string {
    return this.#token.accessToken;
  }

  async request<T>(method: string, path: string, body?: unknown, opts?: RequestOptions) {
    try {
      // The background renewal missed its moment (a suspended laptop): renew first.
      if (Date.parse(this.#token.expiresAt) <= Date.now()) await this.renew();
      return await bearerClient(this.baseUrl, this.token()).request<T>(method, path, body, opts);
    } catch (error) {
      // A device is never "signed in": its 401 means the session or the device is over.
      if (error instanceof CliError && error.code === 'UNAUTHENTICATED') throw deviceEnded();
      throw error;
    }
  }

  /** Keeps the token fresh in the background until stop(). */
  startRenewing(onError: (error: unknown) => void): void {
    this.#stopped = false;
    this.#schedule(renewDelay(Date.parse(this.#token.expiresAt), Date.now()), onError);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** A fresh token now (shared by concurrent callers); up to the session's current expiry. */
  renew(): Promise<void> {
    this.#renewing ??= bearerClient(this.baseUrl, this.token())
      .request<DeviceToken>('POST', '/v1/devices/token')
      .then((token) => {
        this.#token = token;
      })
      .finally(() => {
        this.#renewing = null;
      });
    return this.#renewing;
  }

  #schedule(delay: number, onError: (error: unknown) => void): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      const before = this.#token.expiresAt;
      // An expired token cannot renew itself; the session ends with it.
      if (Date.parse(before) <= Date.now()) return;
      this.renew().then(
        () => {
          const next = renewDelay(Date.parse(this.#token.expiresAt), Date.now());
          // The same expiry: the token already lasts as long as the session. Ask again now
          // and then, in case the owner extends the session.
          this.#schedule(
            this.#token.expiresAt === before ? Math.max(next, SAME_EXPIRY_MS) : next,
            onError,
          );
        },
        (error: unknown) => {
          // The device or the session is over: the caller (and the event stream) say why.
          if (error instanceof CliError && ENDED.has(error.code ?? '')) {
            onError(error);
            return;
          }
          this.#schedule(RETRY_MS, onError); // an outage: try again while the token lasts
        },
      );
    }, delay);
    this.#timer.unref();
  }
}
