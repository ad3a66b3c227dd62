// A fast matcher for the filters applications send most (field equality, $ne, $in, $exists and
// ranges on scalar values, combined with $and). Anything else returns undefined and goes to
// mingo, whose per-query setup costs far more than the match itself.
import { ObjectId } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { encodeValue } from '../indexes/key.js';
import { compareValues, rank } from './compare.js';
import { isPlainObject } from './values.js';

type Pred = (doc: unknown) => boolean;
const MISSING = Symbol('missing');

function isScalar(v: unknown): boolean {
  return (
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'boolean' ||
    v instanceof ObjectId ||
    v instanceof Date
  );
}

/** Leaf values at `path` (array elements expanded, arrays kept too); MISSING marks absence. */
function leaves(doc: unknown, parts: string[]): unknown[] {
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

function eqPred(parts: string[], v: unknown): Pred {
  if (v === null) {
    return (doc) => leaves(doc, parts).some((x) => x === null || x === MISSING || x === undefined);
  }
  const key = encodeValue(v);
  return (doc) =>
    leaves(doc, parts).some((x) => x !== MISSING && !Array.isArray(x) && encodeValue(x) === key);
}

function rangePred(parts: string[], op: string, v: unknown): Pred {
  const r = rank(v);
  const ok =
    op === '$gt'
      ? (c: number) => c > 0
      : op === '$gte'
        ? (c: number) => c >= 0
        : op === '$lt'
          ? (c: number) => c < 0
          : (c: number) => c <= 0;
  return (doc) =>
    leaves(doc, parts).some(
      (x) => x !== MISSING && !Array.isArray(x) && rank(x) === r && ok(compareValues(x, v)),
    );
}

function fieldPred(path: string, cond: unknown): Pred | undefined {
  const parts = path.split('.');
  if (isScalar(cond) || cond === null) return eqPred(parts, cond);
  if (!isPlainObject(cond)) return undefined;
  const ops = Object.keys(cond);
  if (ops.length === 0 || !ops.every((o) => o.startsWith('$'))) return undefined;
  const preds: Pred[] = [];
  for (const op of ops) {
    const v = cond[op];
    switch (op) {
      case '$eq':
        if (!isScalar(v) && v !== null) return undefined;
        preds.push(eqPred(parts, v));
        break;
      case '$ne': {
        if (!isScalar(v) && v !== null) return undefined;
        const eq = eqPred(parts, v);
        preds.push((doc) => !eq(doc));
        break;
      }
      case '$in': {
        if (!Array.isArray(v)) fail(ErrorCode.BadValue, '$in needs an array');
        if (!v.every((x) => isScalar(x) || x === null)) return undefined;
        const eqs = (v as unknown[]).map((x) => eqPred(parts, x));
        preds.push((doc) => eqs.some((p) => p(doc)));
        break;
      }
      case '$exists': {
        if (typeof v !== 'boolean') return undefined;
        preds.push((doc) => leaves(doc, parts).some((x) => x !== MISSING) === v);
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (!isScalar(v) || (typeof v === 'number' && Number.isNaN(v))) return undefined;
        preds.push(rangePred(parts, op, v));
        break;
      default:
        return undefined;
    }
  }
  return preds.length === 1 ? preds[0] : (doc) => preds.every((p) => p(doc));
}

export function compileSimple(filter: Record<string, unknown>): Pred | undefined {
  const preds: Pred[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and') {
      if (!Array.isArray(v) || v.length === 0) return undefined;
      for (const sub of v as unknown[]) {
        if (!isPlainObject(sub)) return undefined;
        const p = compileSimple(sub);
        if (!p) return undefined;
        preds.push(p);
      }
      continue;
    }
    if (k.startsWith('$') || k === '') return undefined;
    const p = fieldPred(k, v);
    if (!p) return undefined;
    preds.push(p);
  }
  if (preds.length === 1) return preds[0];
  return (doc) => preds.every((p) => p(doc));
}
