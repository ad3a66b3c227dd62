// Argument readers shared by the command handlers: each rejects a wrong type with MongoDB's
// TypeMismatch wording instead of guessing.
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { validateCollName } from '../engine/store.js';
import { isPlainObject } from '../engine/values.js';
import type { SortSpec } from '../engine/compare.js';

/** Fields the driver may put on any command; every other field must be known to the command. */
export const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'readConcern',
  'writeConcern',
  'comment',
  'maxTimeMS',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
]);

export function collectionArg(cmd: Document, name: string, db: string): string {
  const v = cmd[name] as unknown;
  if (typeof v !== 'string') {
    fail(
      ErrorCode.InvalidNamespace,
      `collection name has invalid type ${v === null ? 'null' : typeof v}`,
    );
  }
  return validateCollName(db, v);
}

export function optionalDoc(cmd: Document, cmdName: string, field: string): Document | undefined {
  const v = cmd[field] as unknown;
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    fail(
      ErrorCode.TypeMismatch,
      `BSON field '${cmdName}.${field}' is the wrong type '${typeof v}', expected type 'object'`,
    );
  }
  return v;
}

export function optionalNumber(cmd: Document, cmdName: string, field: string): number | undefined {
  const v = cmd[field] as unknown;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    fail(
      ErrorCode.TypeMismatch,
      `BSON field '${cmdName}.${field}' is the wrong type '${typeof v}', expected a number`,
    );
  }
  return v;
}

export function optionalBool(cmd: Document, cmdName: string, field: string): boolean | undefined {
  const v = cmd[field] as unknown;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  fail(
    ErrorCode.TypeMismatch,
    `BSON field '${cmdName}.${field}' is the wrong type '${typeof v}', expected type 'bool'`,
  );
}

export function docArray(cmd: Document, cmdName: string, field: string): Document[] {
  const v = cmd[field] as unknown;
  if (!Array.isArray(v)) {
    fail(ErrorCode.TypeMismatch, `BSON field '${cmdName}.${field}' is missing or not an array`);
  }
  for (const d of v) {
    if (!isPlainObject(d))
      fail(ErrorCode.TypeMismatch, `BSON field '${cmdName}.${field}' must hold objects`);
  }
  return v as Document[];
}

export function parseSort(spec: Document | undefined): SortSpec {
  if (!spec) return [];
  return Object.entries(spec).map(([path, dir]) => {
    if (dir === 1 || dir === -1) return [path, dir];
    if (isPlainObject(dir) && '$meta' in dir) {
      fail(ErrorCode.NotImplemented, '$meta sort is not supported by the devstack');
    }
    return fail(
      ErrorCode.BadValue,
      `$sort key ordering must be 1 (for ascending) or -1 (for descending)`,
    );
  });
}

/** Collation other than the simple binary one would change results: refuse it. */
export function refuseCollation(cmd: Document, field = 'collation'): void {
  const c = cmd[field] as unknown;
  if (c === undefined) return;
  if (isPlainObject(c) && c['locale'] === 'simple' && Object.keys(c).length === 1) return;
  fail(
    ErrorCode.NotImplemented,
    'collation is not supported by the devstack (only { locale: "simple" })',
  );
}

/** `let` variables are only accepted when empty: the devstack does not bind them. */
export function refuseLet(cmd: Document): void {
  const v = cmd['let'] as unknown;
  if (v === undefined) return;
  if (isPlainObject(v) && Object.keys(v).length === 0) return;
  fail(ErrorCode.NotImplemented, "'let' variables are not supported by the devstack");
}

export function refuseIfSet(cmd: Document, cmdName: string, fields: readonly string[]): void {
  for (const f of fields) {
    const v = cmd[f] as unknown;
    if (v !== undefined && v !== false && v !== null) {
      fail(
        ErrorCode.NotImplemented,
        `BSON field '${cmdName}.${f}' is not supported by the devstack`,
      );
    }
  }
}
