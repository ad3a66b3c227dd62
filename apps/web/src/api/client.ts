import { noteServerDate, serverNow } from './clock';
import type { Problem } from './types';

/** Where the API client gets its bearer token; refresh() is called once on a 401. */
export interface TokenSource {
  token: () => string | null;
  /**
   * Resolves true when a new token is there to retry with, false when the refresh was refused
   * (the sign-in is over). Rejects (with the refresh's own ApiError: RATE_LIMITED, NETWORK, …)
   * when it failed for another reason: the tokens are kept, and the request fails with that.
   */
  refresh?: () => Promise<boolean>;
}

// Function-typed members, not methods: `const { del } = api` and `onClick={api.del}` are safe.
export interface Api {
  get: <T>(path: string, opts?: { signal?: AbortSignal }) => Promise<T>;
  post: <T>(path: string, body?: unknown, opts?: { signal?: AbortSignal }) => Promise<T>;
  patch: <T>(path: string, body: unknown) => Promise<T>;
  del: (path: string) => Promise<void>;
  /** A binary answer, e.g. the pairing QR code's SVG. */
  blob: (path: string) => Promise<Blob>;
  /** The current bearer token (for the SSE reader and the upload worker). */
  token: () => string | null;
  /** Epoch ms on the server's clock (from its Date headers): use it for every expiry. */
  now: () => number;
}

/** Every failed API call: an HTTP problem, or status 0 / code NETWORK when nothing answered. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem?: Problem;
  readonly retryAfterSeconds?: number;

  constructor(
    status: number,
    code: string,
    message: string,
    problem?: Problem,
    retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    if (problem !== undefined) this.problem = problem;
    if (retryAfter !== undefined) this.retryAfterSeconds = retryAfter;
  }
}

const REQUEST_TIMEOUT_MS = 30_000;

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  accept: string;
  signal?: AbortSignal | undefined;
}

/** The API client every screen uses: same-origin JSON calls with the source's bearer token. */
export function createApi(source: TokenSource): Api {
  const send = async (call: Call): Promise<Response> => {
    const first = await fetchOnce(call, source.token());
    if (first.status !== 401 || source.token() === null || source.refresh === undefined) {
      return first;
    }
    // Refused: the 401 stands. Failed (busy, offline): refresh() rejects with why, and the
    // request fails with that, not with a 401 that would read as "signed out".
    if (!(await source.refresh())) return first;
    return fetchOnce(call, source.token());
  };
  const json = async <T>(call: Omit<Call, 'accept'>): Promise<T> => {
    const res = await send({ ...call, accept: 'application/json' });
    if (!res.ok) throw await toApiError(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return {
    get: (path, opts) => json({ method: 'GET', path, signal: opts?.signal }),
    post: (path, body, opts) => json({ method: 'POST', path, body, signal: opts?.signal }),
    patch: (path, body) => json({ method: 'PATCH', path, body }),
    del: async (path) => {
      await json<undefined>({ method: 'DELETE', path });
    },
    blob: async (path) => {
      const res = await send({ method: 'GET', path, accept: '*/*' });
      if (!res.ok) throw await toApiError(res);
      return res.blob();
    },
    token: () => source.token(),
    now: serverNow,
  };
}

async function fetchOnce(call: Call, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { accept: `${call.accept}, application/problem+json` };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = call.signal === undefined ? timeout : AbortSignal.any([call.signal, timeout]);
  const sentAt = Date.now();
  try {
    const res = await fetch(call.path, {
      method: call.method,
      headers,
      body: call.body === undefined ? null : JSON.stringify(call.body),
      cache: 'no-store',
      credentials: 'omit',
      signal,
    });
    noteServerDate(res.headers.get('date'), sentAt, Date.now());
    return res;
  } catch (error) {
    // The caller's own abort stays an AbortError; anything else means nothing answered.
    if (call.signal?.aborted === true) throw error;
    throw new ApiError(0, 'NETWORK', 'The server could not be reached.');
  }
}

/** Reads an error answer: a problem+json body if there is one, else the bare status. */
export async function toApiError(res: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  let problem: Problem | undefined;
  try {
    const body: unknown = JSON.parse(await res.text());
    if (isProblem(body)) problem = body;
  } catch {
    // Not JSON: an answer from something in between (a proxy, a gateway).
  }
  const code = problem?.code ?? (res.status >= 500 ? 'SERVICE_UNAVAILABLE' : `HTTP_${res.status}`);
  const message = problem?.detail ?? `The server answered ${String(res.status)}.`;
  return new ApiError(res.status, code, message, problem, retryAfter);
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const { code, status } = body as { code?: unknown; status?: unknown };
  return typeof code === 'string' && typeof status === 'number';
}

/** Retry-After in seconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - serverNow()) / 1000));
}
