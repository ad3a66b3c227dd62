import type { Types } from 'mongoose';

// Unused by the repositories, which pick their records' fields one by one (see index.ts); only
// libs/database/test/database-module.spec.ts still exercises it. Delete this file together with
// that spec's toPlain case.

/** `T` with `_id` exposed as a hex-string `id`. */
export type Plain<T> = Omit<T, '_id' | '__v'> & { id: string };

/** Turns a lean document into a plain record: `_id` becomes the string `id`, `__v` is dropped. */
export function toPlain<T extends { _id: Types.ObjectId }>(doc: T): Plain<T>;
export function toPlain<T extends { _id: Types.ObjectId }>(doc: T | null): Plain<T> | null;
export function toPlain<T extends { _id: Types.ObjectId }>(doc: T | null): Plain<T> | null {
  if (doc === null) return null;
  const { _id, ...rest } = doc;
  const plain: Record<string, unknown> = { ...rest, id: _id.toHexString() };
  delete plain.__v;
  return plain as Plain<T>;
}
