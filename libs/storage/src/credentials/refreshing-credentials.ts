import type {
  CredentialSource,
  SigningCredentials,
  StorageCredentials,
} from './storage-credentials.js';

export interface RefreshOptions {
  /**
   * Credentials with less than this left are not signed into URLs, and make the S3 client wait
   * for a refresh (seconds; default 60). URLs are capped at the credentials' expiration anyway.
   */
  minimumValiditySeconds?: number;
  /**
   * A refresh starts this long before expiration (ms; default 5 min), or after three quarters of
   * the life the credentials had when fetched, if that comes later (short-lived credentials).
   */
  refreshMarginMs?: number;
  /** Wait after a failed refresh (ms; default 1 s), doubling per failure up to maxRetryDelayMs. */
  retryDelayMs?: number;
  /** Longest wait between failed refreshes (ms; default 30 s). */
  maxRetryDelayMs?: number;
  /** Injectable clock (epoch ms), for tests. */
  now?: () => number;
}

/** The credential source failed, or handed back credentials that cannot be used. */
export class StorageCredentialsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageCredentialsError';
  }
}

interface Held {
  credentials: StorageCredentials;
  /** When a background refresh starts (epoch ms); Infinity for credentials that never expire. */
  refreshAt: number;
}

// setTimeout's longest delay (about 24.8 days); a longer one fires at once.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Temporary credentials (IAM roles, STS) kept fresh ahead of their expiration. One refresh is in
 * flight at a time, shared by every caller; while a refresh fails, the held credentials stay in
 * use as long as they are valid, and attempts back off. A timer refreshes them even when no
 * request comes, so the synchronous presigner finds fresh credentials in `current()`.
 */
export class RefreshingCredentials implements SigningCredentials {
  readonly provide: CredentialSource = (options) => this.provideFor(options?.forceRefresh === true);

  private readonly minimumValidityMs: number;
  private readonly refreshMarginMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly now: () => number;
  private held: Held | undefined;
  private inflight: Promise<StorageCredentials> | undefined;
  private failures = 0;
  private retryNotBefore = 0;
  private lastError: StorageCredentialsError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly source: CredentialSource,
    options: RefreshOptions = {},
  ) {
    this.minimumValidityMs = (options.minimumValiditySeconds ?? 60) * 1000;
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.now = options.now ?? (() => Date.now());
  }

  /** Starts fetching the first credentials, without waiting for them. */
  start(): this {
    this.kick();
    return this;
  }

  current(): StorageCredentials | undefined {
    const now = this.now();
    const held = this.held;
    // The timer normally refreshes first; this covers a late timer (a blocked or suspended process).
    if (held === undefined || now >= held.refreshAt) this.kick();
    return held !== undefined && this.usable(held.credentials, now) ? held.credentials : undefined;
  }

  retryAfterSeconds(): number {
    const wait = this.inflight === undefined ? this.retryNotBefore - this.now() : 0;
    return Math.max(1, Math.ceil(wait / 1000));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async provideFor(force: boolean): Promise<StorageCredentials> {
    const now = this.now();
    const held = this.held;
    if (held !== undefined && !force) {
      if (now < held.refreshAt) return held.credentials;
      if (this.usable(held.credentials, now)) {
        this.kick();
        return held.credentials;
      }
    }
    try {
      return await this.refresh();
    } catch (err) {
      // A server-side call goes out at once: credentials about to expire still serve it.
      const still = this.held;
      if (still !== undefined && !expired(still.credentials, this.now())) return still.credentials;
      throw err;
    }
  }

  private refresh(): Promise<StorageCredentials> {
    if (this.inflight !== undefined) return this.inflight;
    if (this.lastError !== undefined && this.now() < this.retryNotBefore) {
      return Promise.reject(this.lastError);
    }
    this.inflight = this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private kick(): void {
    if (!this.closed) this.refresh().catch(() => undefined);
  }

  private async fetch(): Promise<StorageCredentials> {
    let fetched: StorageCredentials;
    try {
      // Past the SDK's own cache, which hands back the old credentials during its last 5 minutes.
      fetched = await this.source({ forceRefresh: true });
    } catch (err) {
      throw this.failed(
        new StorageCredentialsError(`Could not obtain storage credentials: ${messageOf(err)}`, {
          cause: err,
        }),
      );
    }
    const now = this.now();
    const problem = problemWith(fetched, now);
    if (problem !== undefined) {
      throw this.failed(new StorageCredentialsError(`The credential source returned ${problem}`));
    }
    this.held = { credentials: fetched, refreshAt: this.refreshTime(fetched, now) };
    this.failures = 0;
    this.lastError = undefined;
    this.retryNotBefore = 0;
    this.schedule(this.held.refreshAt);
    return fetched;
  }

  private failed(err: StorageCredentialsError): StorageCredentialsError {
    this.failures++;
    const backoff = this.retryDelayMs * 2 ** Math.min(this.failures - 1, 20);
    this.retryNotBefore = this.now() + Math.min(this.maxRetryDelayMs, backoff);
    this.lastError = err;
    this.schedule(this.retryNotBefore);
    return err;
  }

  private refreshTime(credentials: StorageCredentials, now: number): number {
    if (credentials.expiration === undefined) return Infinity;
    const expiresAt = credentials.expiration.getTime();
    const margin = Math.min(this.refreshMarginMs, (expiresAt - now) / 4);
    // Never sooner than the retry delay: a source that hands back the same soon-expiring
    // credentials (an instance profile before it rotates) is asked again shortly, not in a loop.
    return Math.max(expiresAt - margin, now + this.retryDelayMs);
  }

  private usable(credentials: StorageCredentials, now: number): boolean {
    const { expiration } = credentials;
    return expiration === undefined || expiration.getTime() - now >= this.minimumValidityMs;
  }

  private schedule(at: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || !Number.isFinite(at)) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A capped timer fires early: wait again for the real time.
      if (this.now() < at) this.schedule(at);
      else this.kick();
    }, delay);
    // Never keeps the process alive on its own.
    this.timer.unref();
  }
}

function expired(credentials: StorageCredentials, now: number): boolean {
  return credentials.expiration !== undefined && credentials.expiration.getTime() <= now;
}

// What makes fetched credentials unusable; never their values.
function problemWith(credentials: StorageCredentials, now: number): string | undefined {
  if (typeof credentials !== 'object' || credentials === null) return 'no credentials';
  if (typeof credentials.accessKeyId !== 'string' || credentials.accessKeyId === '') {
    return 'credentials without an access key id';
  }
  if (typeof credentials.secretAccessKey !== 'string' || credentials.secretAccessKey === '') {
    return 'credentials without a secret access key';
  }
  const { expiration } = credentials;
  if (expiration === undefined) return undefined;
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) {
    return 'credentials with an invalid expiration';
  }
  return expiration.getTime() <= now ? 'expired credentials' : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
