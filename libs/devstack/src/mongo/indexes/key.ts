// Index keys: a value is encoded into a string that is equal for two values exactly when MongoDB
// considers them equal for indexing (numbers of any type by value), so a Map can serve lookups.
import { Binary, ObjectId } from 'bson';
import { isPlainObject } from '../engine/values.js';
import { pathValues } from '../engine/paths.js';

export function encodeValue(v: unknown): string {
  if (v === undefined || v === null) return 'z';
  switch (typeof v) {
    case 'number':
      return 'n' + String(Object.is(v, -0) ? 0 : v);
    case 'string':
      return 's' + v.length + ':' + v;
    case 'boolean':
      return v ? 't' : 'f';
    case 'bigint':
      return 'n' + v.toString();
    case 'undefined':
    case 'object':
    case 'function':
    case 'symbol':
      break;
  }
  if (v instanceof ObjectId) return 'o' + v.toHexString();
  if (v instanceof Date) return 'd' + v.getTime();
  if (Array.isArray(v)) return '[' + v.map(encodeValue).join(',') + ']';
  if (isPlainObject(v)) {
    let s = '{';
    for (const k of Object.keys(v)) s += k.length + ':' + k + '=' + encodeValue(v[k]) + ',';
    return s + '}';
  }
  if (v instanceof Binary) return 'b' + v.sub_type + ':' + Buffer.from(v.buffer).toString('base64');
  if (v instanceof RegExp) return 'r' + String(v);
  const t = (v as { _bsontype?: string })._bsontype ?? 'x';
  const text = (v as { toString(): string }).toString();
  if (t === 'Long' || t === 'Decimal128') return 'n' + text;
  return t + ':' + text;
}

export interface IndexKey {
  /** The encoded parts joined by '|': the hash map key. */
  key: string;
  /** One encoded part per indexed field. */
  parts: string[];
  values: unknown[];
}

/** Every key a document produces for the given fields (several when a field is an array). */
export function extractKeys(doc: unknown, fields: readonly string[]): IndexKey[] {
  let combos: unknown[][] = [[]];
  for (const field of fields) {
    const values = pathValues(doc, field, true, true);
    if (values.length === 0) values.push(null);
    const next: unknown[][] = [];
    for (const combo of combos) for (const v of values) next.push([...combo, v]);
    combos = next;
  }
  const seen = new Map<string, IndexKey>();
  for (const values of combos) {
    const parts = values.map(encodeValue);
    const key = parts.join('|');
    if (!seen.has(key)) seen.set(key, { key, parts, values });
  }
  return [...seen.values()];
}

/** True when none of the fields exists in the document (a sparse index skips it). */
export function missingAll(doc: unknown, fields: readonly string[]): boolean {
  return fields.every((f) => pathValues(doc, f, false).every((v) => v === undefined));
}

/** Renders a key like MongoDB's duplicate-key messages: `{ email: "a@b.c" }`. */
export function formatKey(fields: readonly string[], values: readonly unknown[]): string {
  const parts = fields.map((f, i) => `${f}: ${formatValue(values[i])}`);
  return `{ ${parts.join(', ')} }`;
}

function formatValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  if (isPlainObject(v)) {
    return `{ ${Object.keys(v)
      .map((k) => `${k}: ${formatValue(v[k])}`)
      .join(', ')} }`;
  }
  return (v as { toString(): string }).toString();
}
