import { AppError } from '@app/common';

/** Where a page ends in a (createdAt, id) keyset listing: the last item's createdAt and id. */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

const CURSOR_BODY = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/;

/** Opaque to clients: base64url of `<createdAt ms>.<id>`. */
export const encodeKeysetCursor = (cursor: KeysetCursor): string =>
  Buffer.from(`${cursor.createdAt.getTime()}.${cursor.id}`, 'utf8').toString('base64url');

/** The cursor, or AppError VALIDATION_FAILED (field `cursor`) for anything we did not issue. */
export function decodeKeysetCursor(value: unknown): KeysetCursor {
  const invalid = (): AppError =>
    new AppError('VALIDATION_FAILED', 'The cursor is not valid', {
      errors: [{ field: 'cursor', message: 'cursor must be a value returned as nextCursor' }],
    });
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(value)) throw invalid();
  const match = CURSOR_BODY.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (match === null) throw invalid();
  const cursor = { createdAt: new Date(Number(match[1])), id: match[2] };
  // Only the canonical spelling is accepted (base64url decoding ignores stray trailing bits).
  if (Number.isNaN(cursor.createdAt.getTime()) || encodeKeysetCursor(cursor) !== value) {
    throw invalid();
  }
  return cursor;
}

/**
 * One page from `docs`, fetched with `limit(size + 1)`: the extra document only says that a next
 * page exists, and the cursor points after the last item shown.
 */
export function keysetPage<D, R extends { createdAt: Date; id: string }>(
  docs: readonly D[],
  size: number,
  toRecord: (doc: D) => R,
): { items: R[]; nextCursor: string | null } {
  const items = docs.slice(0, size).map(toRecord);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      docs.length > size && last !== undefined
        ? encodeKeysetCursor({ createdAt: last.createdAt, id: last.id })
        : null,
  };
}
