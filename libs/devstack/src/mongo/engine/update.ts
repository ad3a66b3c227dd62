// Update documents: modifiers are applied by mingo on a copy (so a failed update changes
// nothing), with what mingo lacks added here: $setOnInsert, strict operator/type checks,
// _id immutability and upsert seeding from the filter's equalities.
import { ObjectId, type Document } from 'bson';
import { update as mingoUpdate } from 'mingo';
import { ErrorCode, MongoServerError, fail } from '../errors.js';
import { encodeValue } from '../indexes/key.js';
import { parentOf, setPath } from './paths.js';
import { applyFast, canApplyFast } from './fast-update.js';
import { applyArithmeticTypes, arithmeticTypes, checkOperandTypes } from './update-types.js';
import { translateMingoError } from './query.js';
import { cloneValue, copyTag, isPlainObject, withIdFirst } from './values.js';

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

function immutableId(): never {
  fail(
    ErrorCode.ImmutableField,
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}

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
  const { $setOnInsert, ...rest } = spec.mods;
  const mods: Record<string, Record<string, unknown>> = { ...rest };
  if (opts.isInsert && $setOnInsert) mods['$set'] = { ...(mods['$set'] ?? {}), ...$setOnInsert };
  let next = cloneValue(doc);
  checkOperandTypes(next, mods);
  const arithmetic = arithmeticTypes(next, mods);
  let changed = canApplyFast(mods) && !opts.arrayFilters ? applyFast(next, mods) : undefined;
  if (changed === undefined) {
    next = cloneValue(doc);
    try {
      const fields = mingoUpdate(next, mods, opts.arrayFilters, opts.filter, {
        cloneMode: 'deep',
      });
      changed = fields.length > 0;
    } catch (err) {
      throw translateMingoError(err);
    }
  }
  for (const src of [mods['$set'], opts.isInsert ? $setOnInsert : undefined]) {
    if (!src) continue;
    for (const path of Object.keys(src)) {
      if (path.includes('$')) continue;
      const at = parentOf(next, path);
      if (at) copyTag(src, path, at[0], at[1]);
    }
  }
  applyArithmeticTypes(next, arithmetic);
  if (doc['_id'] !== undefined && encodeValue(next['_id']) !== encodeValue(doc['_id'])) {
    immutableId();
  }
  return { doc: withIdFirst(next), changed };
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
        if (keys.length > 0 && keys[0].startsWith('$')) {
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
