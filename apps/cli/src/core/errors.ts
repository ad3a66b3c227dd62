// What can go wrong, as one error type with an exit code, and the sentence a user reads for each
// API problem (docs/api.md "Errors": clients key on `code`).

export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  AUTH: 3,
  NOT_FOUND: 4,
  INTEGRITY: 5,
  GONE: 6,
  LIMITED: 7,
  UNAVAILABLE: 8,
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string | undefined;
  /** Seconds the server asked to wait (Retry-After of a 429 or 503), when it said. */
  retryAfter: number | undefined = undefined;

  constructor(message: string, exitCode: number, code?: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** The parts of an RFC 9457 body the client reads; anything may be missing. */
export interface Problem {
  readonly code?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly requestId?: string;
  readonly errors?: ReadonlyArray<{ readonly field?: string; readonly message?: string }>;
  readonly errorsOmitted?: number;
  /** Seconds, from the Retry-After header (the client copies it here). */
  readonly retryAfter?: number;
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.USAGE, 'USAGE');
}

export function exitCodeForStatus(status: number, code?: string): number {
  if (code === 'INTEGRITY_MISMATCH') return EXIT.INTEGRITY;
  if (status === 401) return EXIT.AUTH;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 422) return EXIT.INTEGRITY;
  if (status === 410) return EXIT.GONE;
  if (status === 429) return EXIT.LIMITED;
  if (status === 503) return EXIT.UNAVAILABLE;
  return EXIT.FAILURE;
}

const retryIn = (p: Problem): string =>
  p.retryAfter !== undefined && Number.isFinite(p.retryAfter)
    ? ` Try again in ${formatSeconds(p.retryAfter)}.`
    : ' Try again later.';

export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.ceil(s / 60)} min`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const withDetail = (sentence: string, p: Problem): string =>
  p.detail ? `${sentence} (${p.detail.replace(/\.$/, '')})` : sentence;

function fieldList(p: Problem): string {
  const items = (p.errors ?? []).map((e) =>
    e.field ? `${e.field}: ${e.message ?? 'invalid'}` : (e.message ?? 'invalid'),
  );
  if (p.errorsOmitted) items.push(`and ${p.errorsOmitted} more`);
  return items.length ? ` ${items.join('; ')}.` : '';
}

function sentence(status: number, p: Problem): string {
  switch (p.code) {
    case 'UNAUTHENTICATED':
      return 'Not signed in, or the sign-in has expired: run `sharexpress login`.';
    case 'FORBIDDEN':
      return withDetail('Not allowed: this token may not do that', p) + '.';
    case 'NOT_FOUND':
      return withDetail('Not found', p) + '.';
    case 'VALIDATION_FAILED':
      return `The server refused the request as invalid.${fieldList(p) || (p.detail ? ` ${p.detail}` : '')}`;
    case 'BAD_REQUEST':
    case 'BODY_TOO_COMPLEX':
      return withDetail('The server could not read the request', p) + '.';
    case 'CONFLICT':
      return withDetail('Conflict', p) + '.';
    case 'UPLOAD_INCOMPLETE':
      return withDetail('The upload is not complete on the server yet', p) + '; rerun to resume.';
    case 'SESSION_EXPIRED':
      return 'The sharing session has ended (closed or expired).';
    case 'GONE':
      return withDetail('No longer available', p) + '.';
    case 'DOWNLOAD_LIMIT_REACHED':
      return 'This file has been downloaded as many times as its session allows.';
    case 'PAYLOAD_TOO_LARGE':
      return withDetail('Too large for this server or session', p) + '.';
    case 'UNSUPPORTED_MEDIA_TYPE':
      return withDetail('The server refuses this content type', p) + '.';
    case 'INTEGRITY_MISMATCH':
      return withDetail('The stored bytes do not match the file (size or SHA-256)', p) + '.';
    case 'RATE_LIMITED':
      return `Too many requests to the server.${retryIn(p)}`;
    case 'LOGIN_DELAYED':
      return `Sign-in to this account is delayed after repeated failures.${retryIn(p)}`;
    case 'QUOTA_EXCEEDED':
      return `Your daily upload quota is spent.${retryIn(p)}`;
    case 'TOO_MANY_STREAMS':
      return `Too many live event streams are open on the server.${retryIn(p)}`;
    case 'STORAGE_UNAVAILABLE':
      return `The server's file storage is unavailable.${retryIn(p)}`;
    case 'DATABASE_UNAVAILABLE':
      return `The server's database is unavailable.${retryIn(p)}`;
    case 'CREDENTIALS_BUSY':
      return `The server is busy checking passwords.${retryIn(p)}`;
    case 'SERVICE_UNAVAILABLE':
      return `The server is shutting down.${retryIn(p)}`;
    case 'AUTHORIZATION_PENDING':
      return 'Waiting for the session owner to approve this device.';
    case 'SLOW_DOWN':
      return 'Polling too fast; slowing down.';
    case undefined:
    default:
      break;
  }
  if (status === 401) return 'Not signed in: run `sharexpress login`.';
  if (status === 404) return withDetail('Not found', p) + '.';
  if (status === 410) return withDetail('No longer available', p) + '.';
  if (status === 429) return `Too many requests.${retryIn(p)}`;
  if (status === 503) return `The server is unavailable.${retryIn(p)}`;
  if (status >= 500) return `The server failed (HTTP ${status}).`;
  return (
    withDetail(`The server refused the request (HTTP ${status}${p.code ? ` ${p.code}` : ''})`, p) +
    '.'
  );
}

/** The CliError for an API error answer: a sentence per `code`, the exit code per status. */
export function problemError(status: number, problem: Problem = {}): CliError {
  const ref = problem.requestId && status >= 500 ? ` (request id ${problem.requestId})` : '';
  const error = new CliError(
    sentence(status, problem) + ref,
    exitCodeForStatus(status, problem.code),
    problem.code ?? `HTTP_${status}`,
  );
  error.retryAfter = problem.retryAfter;
  return error;
}

/** A request that got no HTTP answer at all. */
export function networkError(server: string, cause?: unknown): CliError {
  const why = describeCause(cause);
  return new CliError(
    `Cannot reach ${server}${why ? ` (${why})` : ''}. Is the server running? Set it with --server or SHAREXPRESS_URL.`,
    EXIT.UNAVAILABLE,
    'NETWORK',
  );
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const inner = (cause as Error & { cause?: unknown }).cause;
  if (inner instanceof Error) {
    const code = (inner as Error & { code?: unknown }).code;
    return typeof code === 'string' ? code : inner.message;
  }
  return cause.message === 'fetch failed' ? '' : cause.message;
}
