// The leaf semantics of MongoDB's query operators, shared by the fast matcher and the operators
// we give mingo: which values a dotted path reaches (array elements as well as the array), and
// equality/ordering within one BSON type bracket (mingo compares across types and byte by byte).
import { compareValues, rank } from './compare.js';
import { encodeValue } from '../indexes/key.js';
import { isPlainObject } from './values.js';

/** Marks a path that reaches nothing (or an array element lacking the field). */
export const MISSING = Symbol('missing');

/** Leaf values at `path` (array elements expanded, arrays kept too); MISSING marks absence. */
export function leaves(doc: unknown, parts: readonly string[]): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      out.push(v);
      if (Array.isArray(v)) out.push(...(v as unknown[]));
      return;
    }
    if (Array.isArray(v)) {
      // A subdocument lacking the field counts as null, as in MongoDB's {'a.b': null}.
      for (const el of v as unknown[]) {
        if (!isPlainObject(el)) continue;
        if (Object.prototype.hasOwnProperty.call(el, parts[i])) walk(el, i);
        else out.push(MISSING);
      }
      const p = parts[i];
      if (/^\d+$/.test(p) && Number(p) < v.length) walk(v[Number(p)], i + 1);
      return;
    }
    if (isPlainObject(v) && Object.prototype.hasOwnProperty.call(v, parts[i])) {
      walk(v[parts[i]], i + 1);
    }
  };
  walk(doc, 0);
  return out.length === 0 ? [MISSING] : out;
}

export type LeafTest = (leaf: unknown) => boolean;

/** `{path: v}` / `$eq`: null also matches a missing field; a regex matches strings. */
export function equalsTest(v: unknown): LeafTest {
  if (v === null || v === undefined) return (x) => x === null || x === MISSING || x === undefined;
  if (v instanceof RegExp) return regexTest(v);
  const key = encodeValue(v);
  return (x) => x !== MISSING && x !== undefined && encodeValue(x) === key;
}

export function regexTest(re: RegExp): LeafTest {
  const source = String(re);
  return (x) => {
    if (x instanceof RegExp) return String(x) === source;
    if (typeof x !== 'string') return false;
    re.lastIndex = 0; // a /g pattern is stateful
    return re.test(x);
  };
}

export type RangeOp = '$gt' | '$gte' | '$lt' | '$lte';

/**
 * `$gt`/`$gte`/`$lt`/`$lte`: only values of the operand's type bracket match (numbers of every
 * type are one bracket). NaN equals NaN and is otherwise unordered; `$gte`/`$lte` null act as
 * equality to null (missing included), `$gt`/`$lt` null match nothing.
 */
export function rangeTest(op: RangeOp, v: unknown): LeafTest {
  const inclusive = op === '$gte' || op === '$lte';
  if (v === null || v === undefined) return inclusive ? equalsTest(null) : () => false;
  const r = rank(v);
  const vNaN = typeof v === 'number' && Number.isNaN(v);
  const ok =
    op === '$gt'
      ? (c: number) => c > 0
      : op === '$gte'
        ? (c: number) => c >= 0
        : op === '$lt'
          ? (c: number) => c < 0
          : (c: number) => c <= 0;
  return (x) => {
    if (x === MISSING || x === undefined || rank(x) !== r) return false;
    const xNaN = typeof x === 'number' && Number.isNaN(x);
    if (vNaN || xNaN) return inclusive && vNaN && xNaN;
    return ok(compareValues(x, v));
  };
}

/**
 * `$in`: any listed value (regexes match strings, null matches missing). The same test as
 * `equalsTest` on each value, but non-null, non-regex values are looked up by their encoded key
 * in one Set (equalsTest compares exactly that key), so a leaf is encoded once, not once per value.
 */
export function inTest(list: readonly unknown[]): LeafTest {
  const keys = new Set<string>();
  const others: LeafTest[] = [];
  let nullListed = false;
  for (const v of list) {
    if (v === null || v === undefined) nullListed = true;
    else if (v instanceof RegExp) others.push(regexTest(v));
    else keys.add(encodeValue(v));
  }
  if (nullListed) others.push(equalsTest(null));
  return (x) =>
    (keys.size > 0 && x !== MISSING && x !== undefined && keys.has(encodeValue(x))) ||
    others.some((t) => t(x));
}

/** True when some leaf of `doc` at `parts` passes `test`. */
export function someLeaf(doc: unknown, parts: readonly string[], test: LeafTest): boolean {
  return leaves(doc, parts).some(test);
}
