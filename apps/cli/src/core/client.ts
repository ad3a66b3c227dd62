// The API client: JSON in and out, problem+json turned into CliErrors, and the three kinds of
// caller (a signed-in user, a paired device, nobody).
import { CliError, EXIT, networkError, problemError, type Problem } from './errors.ts';
import type { Env } from './config-dir.ts';
import {
  clearCredentials,
  loadCredentials,
  saveCredentials,
  type Credentials,
} from './credentials.ts';
import { version } from './version.ts';

export interface RequestOptions {
  signal?: AbortSignal;
  /** Statuses answered with their body instead of an error (default: any 2xx). */
  expect?: number[];
}

export interface Client {
  readonly baseUrl: string;
  /** JSON (or text for a non-JSON answer); 204 → undefined; an error answer → problemError. */
  request<T>(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  token(): string | null;
}

/** How long one API call may take before the client gives up on it. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Refresh a little before the access token's expiry instead of collecting a 401. */
const EXPIRY_MARGIN_MS = 30_000;

export function normalizeServer(server: string): string {
  return server.replace(/\/+$/, '');
}

/** The login answer (docs/api.md, Auth routes). */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
}

export function isTokenPair(v: unknown): v is TokenPair {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.accessToken === 'string' &&
    typeof r.refreshToken === 'string' &&
    typeof r.expiresIn === 'number'
  );
}

export function credentialsFrom(email: string, pair: TokenPair, now = Date.now()): Credentials {
  return {
    email,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: new Date(now + pair.expiresIn * 1000).toISOString(),
  };
}

interface RawAnswer {
  readonly status: number;
  readonly value: unknown;
  readonly problem: Problem;
}

async function send(
  baseUrl: string,
  method: string,
  path: string,
  token: string | null,
  body: unknown,
  signal: AbortSignal | undefined,
): Promise<RawAnswer> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json, text/plain',
    'user-agent': `sharexpress-cli/${version()}`,
  };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) {
      throw new CliError(
        `No answer from ${baseUrl} within ${REQUEST_TIMEOUT_MS / 1000} s.`,
        EXIT.UNAVAILABLE,
        'TIMEOUT',
      );
    }
    throw networkError(baseUrl, err);
  }
  if (res.status === 204) return { status: 204, value: undefined, problem: {} };
  const text = await res.text();
  const json = /json/i.test(res.headers.get('content-type') ?? '');
  let value: unknown = text;
  if (json && text) {
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
  }
  let problem: Problem = {};
  if (!res.ok) {
    problem = typeof value === 'object' && value !== null ? value : {};
    const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
    if (Number.isFinite(retryAfter)) problem = { ...problem, retryAfter };
  }
  return { status: res.status, value, problem };
}

function settle<T>(answer: RawAnswer, expect: number[] | undefined): T {
  const ok = expect ? expect.includes(answer.status) : answer.status >= 200 && answer.status < 300;
  if (!ok) throw problemError(answer.status, answer.problem);
  return answer.value as T;
}

class FixedTokenClient implements Client {
  readonly baseUrl: string;
  readonly #token: string | null;

  constructor(baseUrl: string, token: string | null) {
    this.baseUrl = normalizeServer(baseUrl);
    this.#token = token;
  }

  token(): string | null {
    return this.#token;
  }

  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}) {
    const answer = await send(this.baseUrl, method, path, this.#token, body, opts.signal);
    return settle<T>(answer, opts.expect);
  }
}

/** A caller with a device token (from a pairing claim or poll), kept in memory only. */
export function bearerClient(server: string, token: string): Client {
  return new FixedTokenClient(server, token);
}

/** A caller without a token (register, login, pairing claims). */
export function anonClient(server: string): Client {
  return new FixedTokenClient(server, null);
}

export const NOT_SIGNED_IN = (server: string): CliError =>
  new CliError(
    `Not signed in to ${server}: run \`sharexpress login\`.`,
    EXIT.AUTH,
    'NOT_SIGNED_IN',
  );

const SIGNIN_EXPIRED = (server: string): CliError =>
  new CliError(
    `Your sign-in to ${server} has expired or was revoked: run \`sharexpress login\`.`,
    EXIT.AUTH,
    'UNAUTHENTICATED',
  );

/**
 * The signed-in user's client: the stored tokens, refreshed once on a 401 (or just before they
 * expire) and saved; a refused refresh forgets them. Refreshes are shared by concurrent requests
 * (a refresh token is single use, and presenting a spent one revokes the whole login).
 */
class UserClient implements Client {
  readonly baseUrl: string;
  readonly #env: Env;
  #creds: Credentials;
  #refreshing: Promise<void> | null = null;

  constructor(baseUrl: string, creds: Credentials, env: Env) {
    this.baseUrl = baseUrl;
    this.#creds = creds;
    this.#env = env;
  }

  token(): string | null {
    return this.#creds.accessToken;
  }

  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}) {
    if (Date.parse(this.#creds.expiresAt) - EXPIRY_MARGIN_MS < Date.now()) {
      await this.refresh(this.#creds.accessToken);
    }
    const used = this.#creds.accessToken;
    let answer = await send(this.baseUrl, method, path, used, body, opts.signal);
    if (answer.status === 401 && !opts.expect?.includes(401)) {
      await this.refresh(used);
      answer = await send(this.baseUrl, method, path, this.#creds.accessToken, body, opts.signal);
    }
    return settle<T>(answer, opts.expect);
  }

  /** Renews the tokens unless someone already did since `staleToken` was used. */
  refresh(staleToken: string): Promise<void> {
    if (this.#creds.accessToken !== staleToken) return Promise.resolve();
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<void> {
    // Another sharexpress process may have refreshed already: its tokens are on disk.
    const stored = loadCredentials(this.baseUrl, this.#env);
    if (stored && stored.refreshToken !== this.#creds.refreshToken) {
      this.#creds = stored;
      if (Date.parse(stored.expiresAt) - EXPIRY_MARGIN_MS > Date.now()) return;
    }
    const answer = await send(
      this.baseUrl,
      'POST',
      '/v1/auth/refresh',
      null,
      { refreshToken: this.#creds.refreshToken },
      undefined,
    );
    if (answer.status === 401 || answer.status === 400) {
      clearCredentials(this.baseUrl, this.#env);
      throw SIGNIN_EXPIRED(this.baseUrl);
    }
    const pair = settle<unknown>(answer, undefined);
    if (!isTokenPair(pair)) {
      throw new CliError(`Unexpected refresh answer from ${this.baseUrl}.`, EXIT.FAILURE);
    }
    this.#creds = credentialsFrom(this.#creds.email, pair);
    saveCredentials(this.baseUrl, this.#creds, this.#env);
  }
}

/** The stored user's client for `server`; CliError AUTH when nobody is signed in there. */
export function userClient(server: string, env: Env): Client {
  const baseUrl = normalizeServer(server);
  const creds = loadCredentials(baseUrl, env);
  if (!creds) throw NOT_SIGNED_IN(baseUrl);
  return new UserClient(baseUrl, creds, env);
}
