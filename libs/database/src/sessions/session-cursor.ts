import { AppError } from '@app/common';

/** Where a page of the owner's sessions ends: the last item's createdAt and id. */
export interface SessionCursor {
  createdAt: Date;
  id: string;
}

const CURSOR_BODY = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/;

/** Opaque to clients: base64url of `<createdAt ms>.<id>`. */
export const encodeSessionCursor = (cursor: SessionCursor): string =>
  Buffer.from(`${cursor.createdAt.getTime()}.${cursor.id}`, 'utf8').toString('base64url');

/** The cursor, or AppError VALIDATION_FAILED (field `cursor`) for anything we did not issue. */
export function decodeSessionCursor(value: unknown): SessionCursor {
  const invalid = (): AppError =>
    new AppError('VALIDATION_FAILED', 'The cursor is not valid', {
      errors: [{ field: 'cursor', message: 'cursor must be a value returned as nextCursor' }],
    });
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(value)) throw invalid();
  const match = CURSOR_BODY.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (match === null) throw invalid();
  const cursor = { createdAt: new Date(Number(match[1])), id: match[2] };
  // Only the canonical spelling is accepted (base64url decoding ignores stray trailing bits).
  if (Number.isNaN(cursor.createdAt.getTime()) || encodeSessionCursor(cursor) !== value) {
    throw invalid();
  }
  return cursor;
}
