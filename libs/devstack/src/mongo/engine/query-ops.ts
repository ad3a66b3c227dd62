// The comparison, element, array and bitwise query operators, in place of mingo's. mingo compares values of
// different BSON types with each other, BinData byte by byte, numbers that stayed bson objects
// (Int64 beyond 2^53, Decimal128) as foreign types, treats `$all` on a non-array as no match and
// tests bits on 32-bit JS numbers only; these follow MongoDB's documented semantics instead.
import { Binary } from 'bson';
import { Query } from 'mingo/query';
import { ErrorCode, fail } from '../errors.js';
import {
  MISSING,
  equalsTest,
  inTest,
  leaves,
  rangeTest,
  someLeaf,
  type LeafTest,
  type RangeOp,
} from './match-values.js';
import { isLong, isPlainObject } from './values.js';

type Predicate = (obj: unknown) => boolean;
type Operator = (selector: string, value: unknown, options: unknown) => Predicate;

const onLeaves =
  (make: (value: unknown) => LeafTest): Operator =>
  (selector, value) => {
    const parts = selector.split('.');
    const test = make(value);
    return (obj) => someLeaf(obj, parts, test);
  };

const negated =
  (op: Operator): Operator =>
  (selector, value, options) => {
    const p = op(selector, value, options);
    return (obj) => !p(obj);
  };

function listOf(op: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) fail(ErrorCode.BadValue, `${op} needs an array`);
  return value as unknown[];
}

const range = (op: RangeOp): Operator => onLeaves((v) => rangeTest(op, v));

export const $eq: Operator = onLeaves(equalsTest);
export const $ne: Operator = negated($eq);
export const $gt = range('$gt');
export const $gte = range('$gte');
export const $lt = range('$lt');
export const $lte = range('$lte');
export const $in: Operator = onLeaves((v) => inTest(listOf('$in', v)));
export const $nin: Operator = negated($in);

/**
 * `$exists`: some value is reached by the path, walked as the other operators walk it (mingo
 * looks into arrays nested in arrays, which MongoDB's paths never enter). Truthiness as mingo's.
 */
export const $exists: Operator = (selector, value) => {
  const parts = selector.split('.');
  const wanted = Boolean(value);
  return (obj) => leaves(obj, parts).some((x) => x !== MISSING) === wanted;
};

/** `{a: {$all: [x, y]}}` is `{$and: [{a: x}, {a: y}]}`, so a single value can match too. */
export const $all: Operator = (selector, value, options) => {
  const list = listOf('$all', value);
  if (list.length === 0) return () => false;
  const isElemMatch = (x: unknown): boolean =>
    isPlainObject(x) && Object.keys(x)[0] === '$elemMatch';
  const elemMatches = list.filter(isElemMatch);
  if (elemMatches.length > 0 && elemMatches.length !== list.length) {
    fail(ErrorCode.BadValue, '$all/$elemMatch has to be consistent');
  }
  if (elemMatches.length > 0) {
    const queries = list.map(
      (x) => new Query({ [selector]: x }, options as ConstructorParameters<typeof Query>[1]),
    );
    return (obj) => queries.every((q) => q.test(obj as Record<string, unknown>));
  }
  const parts = selector.split('.');
  const tests = list.map((x) => equalsTest(x));
  return (obj) => tests.every((t) => someLeaf(obj, parts, t));
};

// Bit positions: 0 is the least significant bit of a number, or of the first byte of BinData.
function maskPositions(op: string, mask: unknown): number[] {
  if (Array.isArray(mask)) {
    return (mask as unknown[]).map((p) => {
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) {
        fail(ErrorCode.BadValue, `bit positions must be non-negative integers in ${op}`);
      }
      return p;
    });
  }
  if (mask instanceof Binary) {
    const bytes = mask.buffer;
    const out: number[] = [];
    for (let i = 0; i < bytes.length * 8; i++) if (bytes[i >> 3] & (1 << (i & 7))) out.push(i);
    return out;
  }
  const n = isLong(mask) ? mask.toBigInt() : integral(mask);
  if (n === undefined || n < 0n)
    fail(ErrorCode.BadValue, `${op} bitmask must be a non-negative integer`);
  const out: number[] = [];
  for (let i = 0; i < 64; i++) if ((n >> BigInt(i)) & 1n) out.push(i);
  return out;
}

function integral(v: unknown): bigint | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v)) return undefined;
  if (v < -(2 ** 63) || v >= 2 ** 63) return undefined;
  return BigInt(v);
}

/** The bit reader of a field value; undefined for values bit operators never match. */
function bitsOf(v: unknown): ((pos: number) => boolean) | undefined {
  if (v instanceof Binary) {
    const bytes = v.buffer;
    return (p) => p >> 3 < bytes.length && (bytes[p >> 3] & (1 << (p & 7))) !== 0;
  }
  const n = isLong(v) ? v.toBigInt() : integral(v);
  if (n === undefined) return undefined;
  // Two's complement: positions past 63 repeat the sign bit.
  return (p) => (p > 63 ? n < 0n : ((BigInt.asUintN(64, n) >> BigInt(p)) & 1n) === 1n);
}

const bitwise =
  (op: string, all: boolean, set: boolean): Operator =>
  (selector, mask) => {
    const positions = maskPositions(op, mask);
    const parts = selector.split('.');
    const test: LeafTest = (x) => {
      const bit = bitsOf(x);
      if (!bit) return false;
      const pass = (p: number): boolean => bit(p) === set;
      return all ? positions.every(pass) : positions.some(pass);
    };
    return (obj) => someLeaf(obj, parts, test);
  };

export const $bitsAllSet = bitwise('$bitsAllSet', true, true);
export const $bitsAnySet = bitwise('$bitsAnySet', false, true);
export const $bitsAllClear = bitwise('$bitsAllClear', true, false);
export const $bitsAnyClear = bitwise('$bitsAnyClear', false, false);
