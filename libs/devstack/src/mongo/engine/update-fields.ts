// Field update operators on one resolved slot: $set, $unset, $inc, $mul, $min, $max,
// $currentDate and $bit, with MongoDB's type rules (arithmetic only on numbers, 14; int + int
// stays int and widens to long on overflow, a long, double or decimal operand wins).
import { Decimal128, Long, Timestamp } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { encodeValue } from '../indexes/key.js';
import { compareValues } from './compare.js';
import { bsonTypeOf } from './type-operator.js';
import { put, valueAt, type Container, type Slot } from './update-target.js';
import { cloneValue, getTag, isLong, isPlainObject, setTag } from './values.js';

/** The operand of one path: its value, and the object it came from (for its numeric tag). */
export interface Operand {
  readonly value: unknown;
  readonly from: Container;
  readonly key: string;
  readonly docId: unknown;
}

function typeAt(c: Container, key: string, v: unknown): string {
  return bsonTypeOf(c, key, v);
}

/** Stores a copy of the operand, with its BSON numeric type. */
export function store(slot: Slot, op: Operand): void {
  put(slot.container, slot.key, cloneValue(op.value));
  setTag(slot.container, slot.key, getTag(op.from, op.key));
}

export function $set(slot: Slot, op: Operand): boolean {
  const cur = valueAt(slot);
  const same =
    cur !== undefined &&
    encodeValue(cur) === encodeValue(op.value) &&
    typeAt(slot.container, slot.key, cur) === typeAt(op.from, op.key, op.value);
  if (same) return false;
  store(slot, op);
  return true;
}

export function $unset(slot: Slot): boolean {
  const c = slot.container;
  if (!Object.prototype.hasOwnProperty.call(c, slot.key)) return false;
  if (Array.isArray(c)) {
    // An array element is not removed but set to null, so the other indexes stay.
    if (c[Number(slot.key)] === null) return false;
    c[Number(slot.key)] = null;
  } else delete c[slot.key];
  setTag(c, slot.key, undefined);
  return true;
}

const WIDTH: Record<string, number> = { int: 0, long: 1, double: 2, decimal: 3 };
const idText = (id: unknown): string => JSON.stringify(String(id));

function numericOrFail(op: string, slot: Slot, arg: Operand): [unknown, string] | undefined {
  const cur = valueAt(slot);
  if (cur === undefined) return undefined;
  const type = typeAt(slot.container, slot.key, cur);
  if (!(type in WIDTH)) {
    fail(
      ErrorCode.TypeMismatch,
      `Cannot apply ${op} to a value of non-numeric type. {_id: ${idText(arg.docId)}} has the field '${slot.path}' of non-numeric type ${type}`,
    );
  }
  return [cur, type];
}

const asBig = (v: unknown): bigint => (isLong(v) ? v.toBigInt() : BigInt(v as number));
const asNumber = (v: unknown): number => (isLong(v) ? v.toNumber() : Number(v));

/** $inc and $mul. */
export function arithmetic(opName: '$inc' | '$mul', slot: Slot, arg: Operand): boolean {
  const argType = typeAt(arg.from, arg.key, arg.value);
  if (!(argType in WIDTH)) {
    fail(
      ErrorCode.TypeMismatch,
      `Cannot ${opName === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${arg.key}: ${JSON.stringify(arg.value)}}`,
    );
  }
  const current = numericOrFail(opName, slot, arg);
  // A missing field counts as 0; $mul then yields 0 of the operand's type.
  const [cur, curType] = current ?? [0, opName === '$mul' ? 'int' : argType];
  let type = WIDTH[curType] >= WIDTH[argType] ? curType : argType;
  if (cur instanceof Decimal128 || arg.value instanceof Decimal128) {
    fail(
      ErrorCode.NotImplemented,
      `${opName} on a Decimal128 beyond double precision is not supported by the devstack`,
    );
  }
  let result: unknown;
  if ((type === 'int' || type === 'long') && (isLong(cur) || isLong(arg.value))) {
    const big = opName === '$inc' ? asBig(cur) + asBig(arg.value) : asBig(cur) * asBig(arg.value);
    const n = Number(big);
    result = Number.isSafeInteger(n) ? n : Long.fromBigInt(BigInt.asIntN(64, big));
    type = 'long';
  } else {
    const x = asNumber(cur);
    const y = asNumber(arg.value);
    result = opName === '$inc' ? x + y : x * y;
  }
  const changed =
    current === undefined || encodeValue(result) !== encodeValue(cur) || curType !== type;
  put(slot.container, slot.key, result);
  tagNumber(slot.container, slot.key, result, type);
  return changed;
}

function tagNumber(c: Container, key: string, v: unknown, type: string): void {
  if (typeof v !== 'number') {
    setTag(c, key, undefined);
    return;
  }
  const fitsInt = Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
  if (type === 'int') setTag(c, key, fitsInt ? undefined : 'long');
  else if (type === 'long') setTag(c, key, 'long');
  else if (type === 'double') setTag(c, key, 'double');
  else setTag(c, key, { decimal: String(v), n: v });
}

/** $min / $max compare in BSON order, across types too. */
export function minMax(opName: '$min' | '$max', slot: Slot, arg: Operand): boolean {
  const cur = valueAt(slot);
  if (cur !== undefined) {
    const r = compareValues(arg.value, cur);
    if (opName === '$min' ? r >= 0 : r <= 0) return false;
  }
  store(slot, arg);
  return true;
}

let tsCounter = 0;

export function $currentDate(slot: Slot, arg: Operand): boolean {
  const spec = arg.value;
  let type = 'date';
  if (isPlainObject(spec)) {
    const t = spec['$type'];
    if (Object.keys(spec).length !== 1 || (t !== 'date' && t !== 'timestamp')) {
      fail(
        ErrorCode.BadValue,
        "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}",
      );
    }
    type = t;
  } else if (typeof spec !== 'boolean') {
    fail(
      ErrorCode.BadValue,
      `${arg.key} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`,
    );
  }
  const now = new Date();
  const value =
    type === 'date'
      ? now
      : new Timestamp({
          t: Math.floor(now.getTime() / 1000),
          i: (tsCounter = (tsCounter + 1) % 0x7fffffff) + 1,
        });
  put(slot.container, slot.key, value);
  setTag(slot.container, slot.key, undefined);
  return true;
}

/** $bit: {and|or|xor: int or long} on an int or long field (a missing field counts as 0). */
export function $bit(slot: Slot, arg: Operand): boolean {
  const spec = arg.value;
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) {
    fail(
      ErrorCode.BadValue,
      `The $bit modifier is not compatible with a ${typeof spec}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`,
    );
  }
  const cur = valueAt(slot);
  let type = cur === undefined ? 'int' : typeAt(slot.container, slot.key, cur);
  if (type !== 'int' && type !== 'long') {
    fail(
      ErrorCode.BadValue,
      `Cannot apply $bit to a value of non-integral type. {_id: ${idText(arg.docId)}} has the field ${slot.key} of non-integer type ${type}`,
    );
  }
  let v = cur === undefined ? 0n : asBig(cur);
  for (const [how, operand] of Object.entries(spec)) {
    const opType = bsonTypeOf(spec, how, operand);
    if (opType !== 'int' && opType !== 'long') {
      fail(
        ErrorCode.BadValue,
        `The $bit modifier field must be an Integer(32/64 bit); a '${opType}' is not supported here: {${how}: ${String(operand)}}`,
      );
    }
    if (opType === 'long') type = 'long';
    const o = asBig(operand);
    if (how === 'and') v &= o;
    else if (how === 'or') v |= o;
    else if (how === 'xor') v ^= o;
    else
      fail(
        ErrorCode.BadValue,
        `The $bit modifier only supports 'and', 'or', and 'xor', not '${how}' which is an unknown operator: {${how}: ${String(operand)}}`,
      );
  }
  v = type === 'int' ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v);
  const n = Number(v);
  const result = Number.isSafeInteger(n) ? n : Long.fromBigInt(v);
  const changed = cur === undefined || encodeValue(result) !== encodeValue(cur);
  put(slot.container, slot.key, result);
  tagNumber(slot.container, slot.key, result, type);
  return changed;
}
