import { ApiError } from './client';

/** "in 45 seconds", "in 3 minutes", "in 2 hours 5 minutes". */
export function inTime(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 90) return `in ${String(s)} second${s === 1 ? '' : 's'}`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `in ${String(minutes)} minutes`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const h = `${String(hours)} hour${hours === 1 ? '' : 's'}`;
  return rest === 0 ? `in ${h}` : `in ${h} ${String(rest)} minute${rest === 1 ? '' : 's'}`;
}

const later = (error: ApiError, fallback: string): string =>
  error.retryAfterSeconds === undefined ? fallback : inTime(error.retryAfterSeconds);

const withDetail = (sentence: string, error: ApiError): string => {
  const detail = error.problem?.detail;
  return detail === undefined || detail === '' ? sentence : `${sentence} ${sentenceOf(detail)}`;
};

const sentenceOf = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

const withRequestId = (sentence: string, error: ApiError): string => {
  const id = error.problem?.requestId;
  return id === undefined || id === '' ? sentence : `${sentence} (Request id ${id}.)`;
};

function fieldMessages(error: ApiError): string {
  const errors = error.problem?.errors ?? [];
  if (errors.length === 0) return withDetail('Some values are not valid.', error);
  const list = errors.map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`));
  return `Please check: ${list.join('; ')}.`;
}

/** One clear sentence for any error an API call, the live stream or an upload can raise. */
export function userMessage(error: unknown): string {
  if (!(error instanceof ApiError)) {
    if (error instanceof DOMException && error.name === 'AbortError') return 'Cancelled.';
    const text = error instanceof Error ? error.message : String(error);
    return sentenceOf(`Something went wrong: ${text}`);
  }
  switch (error.code) {
    case 'NETWORK':
      return 'The server could not be reached. Check your connection and try again.';
    case 'SESSION_EXPIRED':
      return 'This session has ended: it was closed or its time ran out.';
    case 'QUOTA_EXCEEDED':
      return `The daily upload quota of this session’s owner is used up. Uploads work again ${later(error, 'tomorrow (UTC)')}.`;
    case 'RATE_LIMITED':
      return `Too many requests. Try again ${later(error, 'in a moment')}.`;
    case 'LOGIN_DELAYED':
      return `Too many failed sign-ins for this account. Try again ${later(error, 'in a moment')}.`;
    case 'STORAGE_UNAVAILABLE':
      return 'File storage is unavailable right now. Try again in a moment.';
    case 'INTEGRITY_MISMATCH':
      return withDetail('The stored file is not the one that was sent, so it was rejected.', error);
    case 'DOWNLOAD_LIMIT_REACHED':
      return 'This file has been downloaded as many times as allowed.';
    case 'PAYLOAD_TOO_LARGE':
      return withDetail('This file is too large for this session.', error);
    case 'UNSUPPORTED_MEDIA_TYPE':
      return withDetail('This kind of file is not accepted.', error);
    case 'UPLOAD_INCOMPLETE':
      return 'The upload did not finish: storage does not hold all of the file yet. Try the upload again.';
    case 'CONFLICT':
      return withDetail('That cannot be done right now.', error);
    case 'NOT_FOUND':
      return 'That no longer exists, or it was never there.';
    case 'FORBIDDEN':
      return 'You are not allowed to do that in this session.';
    case 'UNAUTHENTICATED':
      return 'You are not signed in, or your sign-in has ended. Sign in again.';
    case 'VALIDATION_FAILED':
      return fieldMessages(error);
    case 'TOO_MANY_STREAMS':
      return `Too many live connections to this session. Live updates resume ${later(error, 'shortly')}.`;
    case 'GONE':
      return 'This is no longer available: its time window has closed.';
    case 'SERVICE_UNAVAILABLE':
    case 'DATABASE_UNAVAILABLE':
    case 'CREDENTIALS_BUSY':
      return `The service is busy. Try again ${later(error, 'in a moment')}.`;
    default:
      return withRequestId(sentenceOf(error.problem?.detail || error.message), error);
  }
}
