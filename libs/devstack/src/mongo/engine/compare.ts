// Comparison in MongoDB's BSON type order: numbers of any type compare by value, and values of
// different types order MinKey < null < numbers < strings < objects < arrays < binData <
// ObjectId < booleans < dates < timestamps < regexes < MaxKey.
import { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { isPlainObject } from './values.js';
import { pathValues } from './paths.js';

export function rank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
    case 'undefined':
    case 'object':
    case 'function':
    case 'symbol':
      break;
  }
  if (Array.isArray(v)) return 6;
  if (isPlainObject(v)) return 5;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  const t = (v as { _bsontype?: string })._bsontype ?? '';
  switch (t) {
    case 'MinKey':
      return 1;
    case 'MaxKey':
      return 13;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 3;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'BSONSymbol':
      return 4;
    default:
      return 5;
  }
}

function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Decimal128) return Number(v.toString());
  return Number((v as { valueOf(): unknown }).valueOf());
}

// Int64 beyond 2^53 compared through BigInt, so neighbouring large longs keep their order.
function compareExact(a: unknown, b: unknown): number | undefined {
  const big = (v: unknown): bigint | undefined =>
    v instanceof Long
      ? v.toBigInt()
      : typeof v === 'number' && Number.isInteger(v)
        ? BigInt(v)
        : undefined;
  const x = big(a);
  const y = big(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 3: {
      if (a instanceof Long || b instanceof Long) {
        const exact = compareExact(a, b);
        if (exact !== undefined) return exact;
      }
      const x = asNumber(a);
      const y = asNumber(b);
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
      if (Number.isNaN(y)) return 1;
      return cmp(x, y);
    }
    case 4:
      return cmp(String(a), String(b)); // strings, and symbols by their text
    case 5: {
      const ka = Object.keys(a as object);
      const kb = Object.keys(b as object);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const r =
          cmp(ka[i], kb[i]) ||
          compareValues(
            (a as Record<string, unknown>)[ka[i]],
            (b as Record<string, unknown>)[kb[i]],
          );
        if (r) return r;
      }
      return ka.length - kb.length;
    }
    case 6: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
        const r = compareValues(xa[i], xb[i]);
        if (r) return r;
      }
      return xa.length - xb.length;
    }
    case 7: {
      // BinData orders by length, then subtype, then bytes.
      const ba = (a as Binary).buffer;
      const bb = (b as Binary).buffer;
      return (
        cmp(ba.length, bb.length) ||
        cmp((a as Binary).sub_type, (b as Binary).sub_type) ||
        Buffer.compare(ba, bb)
      );
    }
    case 8:
      return cmp((a as ObjectId).toHexString(), (b as ObjectId).toHexString());
    case 9:
      return cmp(Number(a), Number(b));
    case 10:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 11:
      return (a as Timestamp).compare(b as Timestamp);
    case 12:
      return cmp(String(a), String(b));
    default:
      return 0;
  }
}

export type SortSpec = [path: string, dir: 1 | -1][];

/** The value a document sorts by: the min (ascending) or max (descending) of a multikey path. */
function sortKey(doc: unknown, path: string, dir: 1 | -1): unknown {
  const values = pathValues(doc, path, true);
  if (values.length === 0) return undefined;
  let best = values[0];
  for (let i = 1; i < values.length; i++) {
    const r = compareValues(values[i], best);
    if (dir === 1 ? r < 0 : r > 0) best = values[i];
  }
  return best;
}

/** A comparator of documents by `spec` (used by $push's $sort on fields of the elements). */
export function compareBy(spec: SortSpec): (a: unknown, b: unknown) => number {
  return (a, b) => {
    for (const [path, dir] of spec) {
      const r = compareValues(sortKey(a, path, dir), sortKey(b, path, dir)) * dir;
      if (r) return r;
    }
    return 0;
  };
}

export function sortDocuments<T>(docs: T[], spec: SortSpec): T[] {
  if (spec.length === 0) return docs;
  const keyed = docs.map((doc, i) => ({ doc, i, keys: spec.map(([p, d]) => sortKey(doc, p, d)) }));
  keyed.sort((x, y) => {
    for (let k = 0; k < spec.length; k++) {
      const r = compareValues(x.keys[k], y.keys[k]) * spec[k][1];
      if (r) return r;
    }
    return x.i - y.i;
  });
  return keyed.map((k) => k.doc);
}
