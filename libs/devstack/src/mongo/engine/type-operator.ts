// $type that knows the engine's numeric tags: mingo alone sees JS numbers and cannot tell an
// int32 from a long or an integral double.
import { ErrorCode, fail } from '../errors.js';
import { getTag, isPlainObject } from './values.js';

const CODES = new Map<number, string>([
  [1, 'double'],
  [2, 'string'],
  [3, 'object'],
  [4, 'array'],
  [5, 'binData'],
  [6, 'undefined'],
  [7, 'objectId'],
  [8, 'bool'],
  [9, 'date'],
  [10, 'null'],
  [11, 'regex'],
  [13, 'javascript'],
  [14, 'symbol'],
  [16, 'int'],
  [17, 'timestamp'],
  [18, 'long'],
  [19, 'decimal'],
  [-1, 'minKey'],
  [127, 'maxKey'],
]);
const ALIASES = new Set([...CODES.values(), 'number']);
const NUMERIC = new Set(['int', 'long', 'double', 'decimal']);

type Container = Record<string, unknown> | unknown[];

export function bsonTypeOf(container: Container | undefined, key: string, v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'number': {
      const tag = container ? getTag(container, key) : undefined;
      if (tag === 'double' || tag === 'long') return tag;
      if (tag) return 'decimal';
      return Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff ? 'int' : 'double';
    }
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    case 'undefined':
    case 'object':
    case 'function':
    case 'symbol':
      break;
  }
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  const t = (v as { _bsontype?: string })._bsontype ?? '';
  const byBsontype: Record<string, string> = {
    ObjectId: 'objectId',
    Binary: 'binData',
    Long: 'long',
    Int32: 'int',
    Double: 'double',
    Decimal128: 'decimal',
    Timestamp: 'timestamp',
    MinKey: 'minKey',
    MaxKey: 'maxKey',
    BSONRegExp: 'regex',
    Code: 'javascript',
    BSONSymbol: 'symbol',
  };
  return byBsontype[t] ?? 'object';
}

function wanted(spec: unknown): Set<string> {
  const list = Array.isArray(spec) ? (spec as unknown[]) : [spec];
  const out = new Set<string>();
  for (const s of list) {
    if (typeof s === 'number') {
      const alias = CODES.get(s);
      if (!alias) fail(ErrorCode.BadValue, `Invalid numerical type code: ${s}`);
      out.add(alias);
    } else if (typeof s === 'string') {
      if (!ALIASES.has(s)) fail(ErrorCode.BadValue, `Unknown type name alias: ${s}`);
      out.add(s);
    } else fail(ErrorCode.TypeMismatch, 'type must be represented as a number or a string');
  }
  return out;
}

function leafTypes(
  v: unknown,
  parts: string[],
  i: number,
  parent: Container | undefined,
  key: string,
  out: string[],
): void {
  if (i === parts.length) {
    if (v === undefined) return;
    out.push(bsonTypeOf(parent, key, v));
    if (Array.isArray(v))
      (v as unknown[]).forEach((el, j) => out.push(bsonTypeOf(v, String(j), el)));
    return;
  }
  const part = parts[i];
  if (Array.isArray(v)) {
    if (/^\d+$/.test(part)) leafTypes(v[Number(part)], parts, i + 1, v, part, out);
    for (const el of v as unknown[])
      if (isPlainObject(el)) leafTypes(el, parts, i, undefined, '', out);
    return;
  }
  if (isPlainObject(v) && Object.prototype.hasOwnProperty.call(v, part)) {
    leafTypes(v[part], parts, i + 1, v, part, out);
  }
}

export function $type(selector: string, value: unknown): (obj: unknown) => boolean {
  const types = wanted(value);
  const parts = selector.split('.');
  return (obj) => {
    const found: string[] = [];
    leafTypes(obj, parts, 0, undefined, '', found);
    return found.some((t) => types.has(t) || (types.has('number') && NUMERIC.has(t)));
  };
}
