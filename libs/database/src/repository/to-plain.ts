import type { Types } from 'mongoose';

/**
 * Repository convention (libs/database/src/<entity>/):
 * - `<entity>.schema.ts`: the `@Schema()` class, `HydratedDocument<T>` type and its indexes, each
 *   with a comment naming the query it serves.
 * - `<entity>.repository.ts`: an `@Injectable()` class that takes the owner/session id it is
 *   scoped to, queries with `lean()`, and returns plain typed records (never documents), built
 *   by a `to<Entity>Record()` mapper on top of `toPlain()`. State changes are single-document
 *   atomic updates (conditional `findOneAndUpdate`); no multi-document transactions. E11000 is
 *   turned into a CONFLICT with `conflictOnDuplicate()`.
 * - `<entity>.repository.spec.ts`: runs against the devstack MongoDB over TCP (or MONGODB_URI).
 */

/** What `lean()` returns for a schema `T`: its fields plus `_id` and no document methods. */
export type LeanDoc<T> = T & { _id: Types.ObjectId; __v?: number };

/** `T` with `_id` exposed as a hex-string `id`, the shape repositories hand out. */
export type Plain<T> = Omit<T, '_id' | '__v'> & { id: string };

/**
 * Turns a lean document into a plain record: `_id` becomes the string `id`, `__v` is dropped.
 * Returns null for null so `toPlain(await model.findOne(q).lean())` reads naturally.
 */
export function toPlain<T extends { _id: Types.ObjectId }>(doc: T): Plain<T>;
export function toPlain<T extends { _id: Types.ObjectId }>(doc: T | null): Plain<T> | null;
export function toPlain<T extends { _id: Types.ObjectId }>(doc: T | null): Plain<T> | null {
  if (doc === null) return null;
  const { _id, ...rest } = doc;
  const plain: Record<string, unknown> = { ...rest, id: _id.toHexString() };
  delete plain.__v;
  return plain as Plain<T>;
}
