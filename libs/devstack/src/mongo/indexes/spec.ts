// Validation and comparison of index specifications as createIndexes receives them. The spec is
// kept exactly as given (plus `v: 2`) so listIndexes echoes it and Mongoose syncIndexes is stable.
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { isPlainObject } from '../engine/values.js';
import { encodeValue } from './key.js';

export interface IndexSpec extends Document {
  v: number;
  key: Record<string, 1 | -1>;
  name: string;
}

const ALLOWED_OPTIONS = new Set([
  'v',
  'key',
  'name',
  'unique',
  'sparse',
  'expireAfterSeconds',
  'partialFilterExpression',
  'background',
  'hidden',
]);
// Options that change behaviour, compared when an index is created again under the same name.
const SEMANTIC_OPTIONS = ['unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression'];

export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([f, d]) => `${f}_${String(d)}`)
    .join('_');
}

export function validateIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) fail(ErrorCode.TypeMismatch, 'index specification must be an object');
  const key = raw['key'];
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    fail(ErrorCode.CannotCreateIndex, "Index spec must contain a non-empty 'key' document");
  }
  for (const [field, dir] of Object.entries(key)) {
    if (dir !== 1 && dir !== -1) {
      fail(
        ErrorCode.CannotCreateIndex,
        `Index type ${JSON.stringify(dir)} on field '${field}' is not supported by the devstack ` +
          '(only ascending 1 / descending -1 keys)',
      );
    }
  }
  for (const opt of Object.keys(raw)) {
    if (!ALLOWED_OPTIONS.has(opt)) {
      fail(
        ErrorCode.InvalidIndexSpecificationOption,
        `The field '${opt}' is not valid for an index specification (devstack)`,
      );
    }
  }
  const name = raw['name'] ?? defaultIndexName(key);
  if (typeof name !== 'string' || name === '')
    fail(ErrorCode.BadValue, 'index name must be a string');
  const ttl = raw['expireAfterSeconds'];
  if (ttl !== undefined && (typeof ttl !== 'number' || ttl < 0 || !Number.isFinite(ttl))) {
    fail(ErrorCode.CannotCreateIndex, 'expireAfterSeconds must be a non-negative number');
  }
  if (ttl !== undefined && Object.keys(key).length !== 1) {
    fail(
      ErrorCode.CannotCreateIndex,
      'TTL indexes are single-field indexes, compound indexes do not support TTL',
    );
  }
  const pfe = raw['partialFilterExpression'];
  if (pfe !== undefined && !isPlainObject(pfe)) {
    fail(ErrorCode.TypeMismatch, 'partialFilterExpression must be an object');
  }
  if (name === '_id_' || Object.keys(key).join() === '_id') {
    if (raw['unique'] === false) fail(ErrorCode.BadValue, 'The _id index is always unique');
  }
  const spec: IndexSpec = { v: 2, key: key as Record<string, 1 | -1>, name };
  for (const [opt, value] of Object.entries(raw)) {
    if (opt !== 'v' && opt !== 'key' && opt !== 'name') spec[opt] = value;
  }
  return spec;
}

export function sameKey(a: IndexSpec, b: IndexSpec): boolean {
  return encodeValue(a.key) === encodeValue(b.key);
}

export function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return SEMANTIC_OPTIONS.every((o) => {
    const x = o === 'unique' || o === 'sparse' ? Boolean(a[o]) : (a[o] as unknown);
    const y = o === 'unique' || o === 'sparse' ? Boolean(b[o]) : (b[o] as unknown);
    return encodeValue(x) === encodeValue(y);
  });
}
