import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';

/** Outcome label of one storage call, as recorded in `storage_call_duration_seconds`. */
export type StorageOutcome =
  'success' | 'not_found' | 'client_error' | 'server_error' | 'timeout' | 'circuit_open';

// Socket-level failures: storage never answered, so it counts against the breaker.
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  // A response body that ended before its Content-Length.
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const NOT_FOUND_CODES = new Set(['NotFound', 'NoSuchKey', 'NoSuchUpload']);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

function shape(err: unknown): ErrorShape {
  return typeof err === 'object' && err !== null ? err : {};
}

/** HTTP status storage answered with, if it answered at all. */
export function httpStatusOf(err: unknown): number | undefined {
  const status = shape(err).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** S3's error code (`NoSuchKey`, `SlowDown`…) or the Node error code (`ECONNREFUSED`). */
export function errorCodeOf(err: unknown): string {
  const s = shape(err);
  for (const candidate of [s.Code, s.code, s.name]) {
    if (typeof candidate === 'string' && candidate.length > 0) return candidate;
  }
  return 'Unknown';
}

function isTimeout(err: unknown): boolean {
  if (err instanceof TaskCancelledError) return true;
  const s = shape(err);
  return s.name === 'TimeoutError' || s.code === 'ETIMEDOUT' || s.name === 'RequestTimeout';
}

function isNetworkError(err: unknown, depth = 0): boolean {
  const s = shape(err);
  if (typeof s.code === 'string' && NETWORK_ERROR_CODES.has(s.code)) return true;
  // undici and the SDK sometimes wrap the socket error; look one or two levels down.
  return depth < 3 && s.cause !== undefined && isNetworkError(s.cause, depth + 1);
}

/** A missing key / upload: a normal answer, never a reason to open the breaker. */
export function isNotFound(err: unknown): boolean {
  return httpStatusOf(err) === 404 || NOT_FOUND_CODES.has(errorCodeOf(err));
}

// 501 NotImplemented: a healthy service that does not offer this call (lifecycle rules on some
// S3 clones). Its answer will not change on retry, so it is the caller's problem, not an outage.
const NOT_IMPLEMENTED = 501;

function isRefusal(status: number): boolean {
  return (status >= 400 && status < 500) || status === NOT_IMPLEMENTED;
}

/**
 * True when the error says storage itself is unhealthy: no connection, no answer in time, or a
 * 5xx other than 501. Any 4xx (404 NoSuchKey, 412 PreconditionFailed, 403…) and 501 are answers
 * from a healthy service and must never trip the circuit breaker.
 */
export function isInfrastructureFailure(err: unknown): boolean {
  if (err instanceof BrokenCircuitError) return false;
  // No credentials to sign with (the STS or metadata endpoint unreachable, refreshes failing):
  // no call can reach storage until they come back, as with no connection.
  if (isCredentialsFailure(err)) return true;
  const status = httpStatusOf(err);
  if (status !== undefined) return status >= 500 && status !== NOT_IMPLEMENTED;
  return isTimeout(err) || isNetworkError(err);
}

/** By name, not class: the SDK may wrap or re-create the provider's error on its way out. */
function isCredentialsFailure(err: unknown, depth = 0): boolean {
  const s = shape(err);
  if (s.name === 'StorageCredentialsError') return true;
  return depth < 3 && s.cause !== undefined && isCredentialsFailure(s.cause, depth + 1);
}

/** Maps a call's result to its metric label. */
export function classifyOutcome(err: unknown): StorageOutcome {
  if (err instanceof BrokenCircuitError) return 'circuit_open';
  if (isTimeout(err)) return 'timeout';
  if (isNotFound(err)) return 'not_found';
  const status = httpStatusOf(err);
  if (status !== undefined && isRefusal(status)) return 'client_error';
  return 'server_error';
}
