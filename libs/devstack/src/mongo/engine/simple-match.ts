// A fast matcher for the filters applications send most (field equality, $ne, $in, $exists and
// ranges on scalar values, combined with $and). Anything else returns undefined and goes to
// mingo, whose per-query setup costs far more than the match itself.
import { ObjectId } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import {
  MISSING,
  equalsTest,
  inTest,
  leaves,
  rangeTest,
  someLeaf,
  type RangeOp,
} from './match-values.js';
import { isPlainObject } from './values.js';

type Pred = (doc: unknown) => boolean;

function isScalar(v: unknown): boolean {
  return (
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'boolean' ||
    v instanceof ObjectId ||
    v instanceof Date
  );
}

function eqPred(parts: string[], v: unknown): Pred {
  const test = equalsTest(v);
  return (doc) => someLeaf(doc, parts, test);
}

function rangePred(parts: string[], op: RangeOp, v: unknown): Pred {
  const test = rangeTest(op, v);
  return (doc) => someLeaf(doc, parts, test);
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
        const test = inTest(v as unknown[]);
        preds.push((doc) => someLeaf(doc, parts, test));
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
        if (!isScalar(v)) return undefined;
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
