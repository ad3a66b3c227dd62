import { AppError } from '@app/common';

interface MongoErrorShape {
  code?: unknown;
  keyPattern?: unknown;
  cause?: unknown;
}

/** True for MongoDB's duplicate-key error (E11000), however the driver or Mongoose wraps it. */
export function isDuplicateKeyError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; depth < 3; depth++) {
    if (typeof e !== 'object' || e === null) return false;
    const shape: MongoErrorShape = e;
    if (shape.code === 11000 || shape.code === 11001) return true;
    e = shape.cause;
  }
  return false;
}

/**
 * Rethrows E11000 as a domain conflict (`409 CONFLICT`) with `message`; anything else unchanged.
 * Use in a repository's catch block: `catch (err) { throw conflictOnDuplicate(err, '…') }`.
 */
export function conflictOnDuplicate(err: unknown, message: string): unknown {
  return isDuplicateKeyError(err) ? new AppError('CONFLICT', message, { cause: err }) : err;
}
