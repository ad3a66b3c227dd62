// Update documents: parsed here (unknown modifiers, path conflicts), applied operator by operator
// on a copy (so a failed update changes nothing) through update-target's path resolution, with
// _id immutability and upsert seeding from the filter's equalities. mingo's updater is not used:
// it loses `$pull` conditions built from $or/$and, calls two paths through one `$[]` a conflict,
// writes through arrays of documents without an error and drops `__proto__` keys.
import { ObjectId, type Document } from 'bson';
import { ErrorCode, MongoServerError, fail } from '../errors.js';
import { encodeValue } from '../indexes/key.js';
import { setPath } from './paths.js';
import * as arrays from './update-arrays.js';
import * as fields from './update-fields.js';
import type { Operand } from './update-fields.js';
import {
  ArrayFilters,
  checkNoOverlap,
  checkPathSyntax,
  hasPositional,
  put,
  resolveSlots,
  valueAt,
  type Slot,
  type TargetContext,
} from './update-target.js';
import {
  cloneValue,
  getTag,
  isDBRefDocument,
  isPlainObject,
  setTag,
  withIdFirst,
} from './values.js';

const MODIFIERS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$pop',
  '$currentDate',
  '$bit',
  '$setOnInsert',
]);

export type UpdateSpec =
  | { kind: 'modifier'; mods: Record<string, Record<string, unknown>> }
  | { kind: 'replacement'; doc: Document };

export function parseUpdate(u: unknown): UpdateSpec {
  if (Array.isArray(u)) {
    fail(ErrorCode.NotImplemented, 'pipeline-style updates are not supported by the devstack');
  }
  if (!isPlainObject(u))
    fail(ErrorCode.FailedToParse, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length === 0) return { kind: 'replacement', doc: u };
  if (ops.length !== keys.length) {
    const field = keys.find((k) => !k.startsWith('$'))!;
    fail(
      ErrorCode.FailedToParse,
      `Unknown modifier: ${field}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  const seen: string[] = [];
  for (const op of ops) {
    if (!MODIFIERS.has(op)) {
      fail(
        ErrorCode.FailedToParse,
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    const arg = u[op];
    if (!isPlainObject(arg)) {
      fail(
        ErrorCode.FailedToParse,
        `Modifiers operate on fields but we found type ${typeof arg} instead. For example: {$mod: {<field>: ...}} not {${op}: ${JSON.stringify(arg)}}`,
      );
    }
    for (const path of Object.keys(arg)) {
      if (path === '') fail(ErrorCode.BadValue, 'An empty update path is not valid.');
      checkPathSyntax(path);
      if (op === '$rename') checkRename(path, arg[path]);
      const paths = op === '$rename' ? [path, String(arg[path])] : [path];
      for (const p of paths) {
        const clash = seen.find((s) => s === p || s.startsWith(p + '.') || p.startsWith(s + '.'));
        if (clash !== undefined) {
          fail(
            ErrorCode.ConflictingUpdateOperators,
            `Updating the path '${p}' would create a conflict at '${clash}'`,
          );
        }
        seen.push(p);
      }
    }
  }
  return { kind: 'modifier', mods: u as Record<string, Record<string, unknown>> };
}

function checkRename(from: string, to: unknown): void {
  if (typeof to !== 'string') {
    fail(ErrorCode.BadValue, `The 'to' field for $rename must be a string: ${from}: ${String(to)}`);
  }
  if (to === '') fail(ErrorCode.BadValue, 'An empty update path is not valid.');
  checkPathSyntax(to);
  if (hasPositional(from))
    fail(ErrorCode.BadValue, `The source field for $rename may not be dynamic: ${from}`);
  if (hasPositional(to))
    fail(ErrorCode.BadValue, `The destination field for $rename may not be dynamic: ${to}`);
  if (from === to) {
    fail(
      ErrorCode.BadValue,
      `The source and target field for $rename must differ: ${from}: "${to}"`,
    );
  }
  if (to.startsWith(from + '.') || from.startsWith(to + '.')) {
    fail(
      ErrorCode.BadValue,
      `The source and target field for $rename must not be on the same path: ${from}: "${to}"`,
    );
  }
}

function immutableId(): never {
  fail(
    ErrorCode.ImmutableField,
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}

type Apply = (slot: Slot, operand: Operand) => boolean;

// Which operators create missing fields on their path, and how each applies to one slot.
const OPERATORS: Record<string, { create: boolean; apply: Apply }> = {
  $set: { create: true, apply: fields.$set },
  $unset: { create: false, apply: (slot) => fields.$unset(slot) },
  $inc: { create: true, apply: (slot, op) => fields.arithmetic('$inc', slot, op) },
  $mul: { create: true, apply: (slot, op) => fields.arithmetic('$mul', slot, op) },
  $min: { create: true, apply: (slot, op) => fields.minMax('$min', slot, op) },
  $max: { create: true, apply: (slot, op) => fields.minMax('$max', slot, op) },
  $currentDate: { create: true, apply: fields.$currentDate },
  $bit: { create: true, apply: fields.$bit },
  $push: { create: true, apply: arrays.$push },
  $addToSet: { create: true, apply: arrays.$addToSet },
  $pull: { create: false, apply: arrays.$pull },
  $pullAll: { create: false, apply: arrays.$pullAll },
  $pop: { create: false, apply: arrays.$pop },
};

/** Applies an update to a copy of `doc`; returns the new document and whether it changed. */
export function applyUpdate(
  doc: Document,
  spec: UpdateSpec,
  opts: { isInsert: boolean; arrayFilters?: Document[]; filter?: Document },
): { doc: Document; changed: boolean } {
  if (spec.kind === 'replacement') {
    const next = cloneValue(spec.doc);
    if ('_id' in next && encodeValue(next['_id']) !== encodeValue(doc['_id'])) immutableId();
    next['_id'] = doc['_id'] as unknown;
    const out = withIdFirst(next);
    return { doc: out, changed: encodeValue(out) !== encodeValue(doc) };
  }
  const next = cloneValue(doc);
  const arrayFilters = new ArrayFilters(opts.arrayFilters);
  const allPaths = Object.values(spec.mods).flatMap((arg) => Object.keys(arg));
  arrayFilters.checkAllUsed(allPaths);
  const ctx: TargetContext = { doc: next, matched: doc, filter: opts.filter, arrayFilters };
  const written: string[] = [];
  let changed = false;
  for (const [name, arg] of Object.entries(spec.mods)) {
    const op =
      name === '$setOnInsert' ? (opts.isInsert ? OPERATORS['$set'] : undefined) : OPERATORS[name];
    if (name === '$rename') {
      for (const [from, to] of Object.entries(arg))
        changed = rename(from, String(to), ctx, written) || changed;
      continue;
    }
    if (!op) continue;
    for (const [path, value] of Object.entries(arg)) {
      const operand: Operand = { value, from: arg, key: path, docId: doc['_id'] };
      for (const slot of resolveSlots(path, op.create, ctx)) {
        written.push(slot.path);
        changed = op.apply(slot, operand) || changed;
      }
    }
  }
  checkNoOverlap(written);
  if (doc['_id'] !== undefined && encodeValue(next['_id']) !== encodeValue(doc['_id'])) {
    immutableId();
  }
  return { doc: withIdFirst(next), changed };
}

/** $rename: moves a field (never an array element) to a new path. */
function rename(from: string, to: string, ctx: TargetContext, written: string[]): boolean {
  const source = resolveSlots(from, false, ctx)[0];
  written.push(from, to);
  if (!source || valueAt(source) === undefined) return false;
  if (Array.isArray(source.container)) {
    fail(
      ErrorCode.BadValue,
      `The source field cannot be an array element, '${from}' in doc with an array on the way`,
    );
  }
  const target = resolveSlots(to, true, ctx)[0];
  if (!target || Array.isArray(target.container)) {
    fail(
      ErrorCode.BadValue,
      `The destination field cannot be an array element, '${to}' in doc with an array on the way`,
    );
  }
  const value = valueAt(source);
  const tag = getTag(source.container, source.key);
  delete source.container[source.key];
  setTag(source.container, source.key, undefined);
  put(target.container, target.key, value);
  setTag(target.container, target.key, tag);
  return true;
}

/** The document an upsert starts from: the filter's equality conditions (not its ranges). */
export function seedFromFilter(filter: Document): Document {
  const seed: Document = {};
  const visit = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v as unknown[]) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      if (isPlainObject(v)) {
        const keys = Object.keys(v);
        if (keys.length > 0 && keys[0].startsWith('$') && !isDBRefDocument(v)) {
          if (keys.length === 1 && keys[0] === '$eq') setPath(seed, k, cloneValue(v['$eq']));
          continue;
        }
      }
      if (v instanceof RegExp) continue;
      setPath(seed, k, cloneValue(v));
    }
  };
  visit(filter);
  return seed;
}

/** Builds the document an upsert inserts. */
export function upsertDocument(
  filter: Document,
  spec: UpdateSpec,
  arrayFilters?: Document[],
): Document {
  const seed = seedFromFilter(filter);
  let doc: Document;
  if (spec.kind === 'replacement') {
    doc = cloneValue(spec.doc);
    if (!('_id' in doc) && '_id' in seed) doc['_id'] = seed['_id'] as unknown;
  } else {
    doc = applyUpdate(seed, spec, { isInsert: true, arrayFilters }).doc;
  }
  if (doc['_id'] === undefined) doc = { _id: new ObjectId(), ...doc };
  return withIdFirst(doc);
}

export function isServerError(e: unknown): e is MongoServerError {
  return e instanceof MongoServerError;
}
