// Array update operators on one resolved slot: $push (with $each, $position, $sort, $slice),
// $addToSet, $pull (every condition shape), $pullAll and $pop. Elements keep their BSON numeric
// types when they move.
import { ErrorCode, fail } from '../errors.js';
import { encodeValue } from '../indexes/key.js';
import { compareBy, compareValues, type SortSpec } from './compare.js';
import { compileFilter } from './query.js';
import { bsonTypeOf } from './type-operator.js';
import type { Operand } from './update-fields.js';
import { put, valueAt, type Slot } from './update-target.js';
import { cloneValue, getTag, isDBRefDocument, isPlainObject, setTag } from './values.js';

type Tag = ReturnType<typeof getTag>;
interface Item {
  v: unknown;
  tag: Tag;
}

const idText = (id: unknown): string => JSON.stringify(String(id));

function items(arr: unknown[]): Item[] {
  return arr.map((v, i) => ({ v, tag: getTag(arr, String(i)) }));
}

function rebuild(slot: Slot, list: Item[]): void {
  const arr: unknown[] = [];
  list.forEach((it, i) => {
    arr.push(it.v);
    if (it.tag) setTag(arr, String(i), it.tag);
  });
  put(slot.container, slot.key, arr);
  setTag(slot.container, slot.key, undefined);
}

/** The array at the slot; undefined when missing; MongoDB's error for any other type. */
function arrayAt(slot: Slot, op: string, arg: Operand): unknown[] | undefined {
  const cur = valueAt(slot);
  if (cur === undefined || Array.isArray(cur)) return cur;
  const type = bsonTypeOf(slot.container, slot.key, cur);
  const where = `in document {_id: ${idText(arg.docId)}}`;
  switch (op) {
    case '$push':
      return fail(
        ErrorCode.BadValue,
        `The field '${slot.path}' must be an array but is of type ${type} ${where}`,
      );
    case '$addToSet':
      return fail(
        ErrorCode.BadValue,
        `Cannot apply $addToSet to non-array field. Field named '${slot.key}' has non-array type ${type}`,
      );
    case '$pop':
      return fail(
        ErrorCode.TypeMismatch,
        `Path '${slot.path}' contains an element of non-array type '${type}'`,
      );
    default:
      return fail(ErrorCode.BadValue, `Cannot apply ${op} to a non-array value`);
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function eachOf(
  op: string,
  arg: Operand,
  allowed: readonly string[],
): { each: Item[]; mods: Record<string, unknown> } {
  const v = arg.value;
  if (!isPlainObject(v) || !('$each' in v)) {
    return { each: [{ v, tag: getTag(arg.from, arg.key) }], mods: {} };
  }
  const { $each, ...mods } = v;
  if (!Array.isArray($each)) {
    fail(
      ErrorCode.BadValue,
      `The argument to $each in ${op} must be an array but it was of type: ${bsonTypeOf(v, '$each', $each)}`,
    );
  }
  for (const k of Object.keys(mods)) {
    if (!allowed.includes(k)) {
      fail(
        ErrorCode.BadValue,
        op === '$push'
          ? `Unrecognized clause in $push: ${k}`
          : `Found unexpected fields after $each in $addToSet: ${JSON.stringify(v)}`,
      );
    }
  }
  return { each: items($each as unknown[]), mods };
}

function sortOf(spec: unknown): (a: Item, b: Item) => number {
  const bad = (): never =>
    fail(
      ErrorCode.BadValue,
      'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
    );
  if (spec === 1 || spec === -1) return (a, b) => compareValues(a.v, b.v) * spec;
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) return bad();
  const fields: SortSpec = Object.entries(spec).map(([f, d]) =>
    d === 1 || d === -1 ? [f, d] : bad(),
  );
  const cmp = compareBy(fields);
  return (a, b) => cmp(a.v, b.v);
}

export function $push(slot: Slot, arg: Operand): boolean {
  const cur = arrayAt(slot, '$push', arg);
  const { each, mods } = eachOf('$push', arg, ['$slice', '$sort', '$position']);
  const position = mods['$position'];
  const sliceN = mods['$slice'];
  if (position !== undefined && !isInt(position)) {
    fail(
      ErrorCode.BadValue,
      `The value for $position must be an integer value, not of type: ${typeof position}`,
    );
  }
  if (sliceN !== undefined && !isInt(sliceN)) {
    fail(
      ErrorCode.BadValue,
      `The value for $slice must be an integer value but was given type: ${typeof sliceN}`,
    );
  }
  const order = mods['$sort'] === undefined ? undefined : sortOf(mods['$sort']);
  const list = cur ? items(cur) : [];
  const added = each.map((it) => ({ v: cloneValue(it.v), tag: it.tag }));
  let at = list.length;
  if (position !== undefined)
    at = position < 0 ? Math.max(0, list.length + position) : Math.min(position, list.length);
  list.splice(at, 0, ...added);
  let result = list;
  if (order) result = stableSort(result, order);
  if (sliceN !== undefined)
    result =
      sliceN >= 0 ? result.slice(0, sliceN) : result.slice(Math.max(0, result.length + sliceN));
  const before = cur === undefined ? undefined : encodeValue(cur);
  rebuild(slot, result);
  return before !== encodeValue(result.map((i) => i.v));
}

function stableSort(list: Item[], order: (a: Item, b: Item) => number): Item[] {
  return list
    .map((it, i) => ({ it, i }))
    .sort((x, y) => order(x.it, y.it) || x.i - y.i)
    .map((x) => x.it);
}

export function $addToSet(slot: Slot, arg: Operand): boolean {
  const cur = arrayAt(slot, '$addToSet', arg);
  const { each } = eachOf('$addToSet', arg, []);
  const list = cur ? items(cur) : [];
  const seen = new Set(list.map((i) => encodeValue(i.v)));
  let changed = cur === undefined;
  for (const it of each) {
    const k = encodeValue(it.v);
    if (seen.has(k)) continue;
    seen.add(k);
    list.push({ v: cloneValue(it.v), tag: it.tag });
    changed = true;
  }
  if (changed) rebuild(slot, list);
  return changed;
}

const QUERY_LEVEL = new Set([
  '$and',
  '$or',
  '$nor',
  '$expr',
  '$where',
  '$comment',
  '$text',
  '$jsonSchema',
]);

/**
 * What `$pull` removes: a document condition is a query on each element document
 * (`{score: 8}`, `{$or: […]}`), an operator condition applies to the element itself
 * (`{$gte: 6}`, `{$in: […]}`), anything else is equality.
 */
function pullMatcher(cond: unknown): (el: unknown) => boolean {
  if (isPlainObject(cond) && !isDBRefDocument(cond)) {
    const first = Object.keys(cond)[0];
    if (first !== undefined && first.startsWith('$') && !QUERY_LEVEL.has(first)) {
      const f = compileFilter({ v: cond });
      return (el) => f.test({ v: el });
    }
    const f = compileFilter(cond);
    return (el) => isPlainObject(el) && (f.matchesAll || f.test(el));
  }
  if (cond instanceof RegExp) {
    return (el) => typeof el === 'string' && ((cond.lastIndex = 0), cond.test(el));
  }
  const key = encodeValue(cond);
  return (el) => encodeValue(el) === key;
}

function removeWhere(slot: Slot, arr: unknown[], remove: (el: unknown) => boolean): boolean {
  const kept = items(arr).filter((it) => !remove(it.v));
  if (kept.length === arr.length) return false;
  rebuild(slot, kept);
  return true;
}

export function $pull(slot: Slot, arg: Operand): boolean {
  const cur = arrayAt(slot, '$pull', arg);
  if (!cur) return false;
  return removeWhere(slot, cur, pullMatcher(arg.value));
}

export function $pullAll(slot: Slot, arg: Operand): boolean {
  if (!Array.isArray(arg.value)) {
    fail(
      ErrorCode.BadValue,
      `$pullAll requires an array argument but was given a ${bsonTypeOf(arg.from, arg.key, arg.value)}`,
    );
  }
  const cur = arrayAt(slot, '$pullAll', arg);
  if (!cur) return false;
  const drop = new Set((arg.value as unknown[]).map(encodeValue));
  return removeWhere(slot, cur, (el) => drop.has(encodeValue(el)));
}

export function $pop(slot: Slot, arg: Operand): boolean {
  if (arg.value !== 1 && arg.value !== -1) {
    fail(ErrorCode.FailedToParse, `$pop expects 1 or -1, found: ${String(arg.value)}`);
  }
  const cur = arrayAt(slot, '$pop', arg);
  if (!cur || cur.length === 0) return false;
  const list = items(cur);
  if (arg.value === 1) list.pop();
  else list.shift();
  rebuild(slot, list);
  return true;
}
