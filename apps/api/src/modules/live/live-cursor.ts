import { AppError } from '@app/common';

// Up to Number.MAX_SAFE_INTEGER's 15 digits, so the number is exact (as GET …/activity).
export const SEQ_MAX = 999_999_999_999_999;

const invalid = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', 'The request is invalid.', { errors: [{ field, message }] });

/**
 * Where a stream starts: `Last-Event-ID` (what an SSE client sends back on reconnect) or
 * `?after=`; both must agree. Neither (or an empty header): live only, from the session's seq.
 * Not past the session's seq.
 */
export function startCursor(
  lastEventId: string | undefined,
  after: number | undefined,
  sessionSeq: number,
): number {
  let fromHeader: number | undefined;
  // Empty is absent: generic SSE readers send `Last-Event-ID:` with no value before any id.
  const value = lastEventId?.trim() ?? '';
  if (value !== '') {
    if (!/^\d{1,15}$/.test(value)) {
      throw invalid('Last-Event-ID', 'must be the seq of an event: a non-negative integer');
    }
    fromHeader = Number(value);
  }
  if (fromHeader !== undefined && after !== undefined && fromHeader !== after) {
    throw invalid('after', 'after and Last-Event-ID must agree; give one of them');
  }
  const start = fromHeader ?? after ?? sessionSeq;
  if (start > sessionSeq) {
    throw invalid(
      fromHeader === undefined ? 'after' : 'Last-Event-ID',
      `is past the session's latest event (${String(sessionSeq)})`,
    );
  }
  return start;
}
