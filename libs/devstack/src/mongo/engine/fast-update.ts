// Direct application of the common modifiers ($set, $unset, $inc, $mul, $min, $max) on plain
// dotted paths. mingo's updater rebuilds its whole operator context on every call, which would
// dominate the cost of a `$inc` by _id; anything unusual (positional paths, arrays on the way,
// other operators) returns undefined and is left to mingo.
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { encodeValue } from '../indexes/key.js';
import { compareValues } from './compare.js';
import { cloneValue, isPlainObject } from './values.js';

const FAST_OPS = new Set(['$set', '$unset', '$inc', '$mul', '$min', '$max']);

type Slot = [container: Record<string, unknown>, key: string];

/** Finds (creating objects when `create`) the container of `path`; undefined = not fast. */
function slot(doc: Document, parts: string[], create: boolean): Slot | null | undefined {
  let cur: Record<string, unknown> = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (next === undefined || next === null) {
      if (!create) return null;
      if (next === null) {
        fail(
          ErrorCode.PathNotViable,
          `Cannot create field '${parts[i + 1]}' in element {${parts[i]}: null}`,
        );
      }
      const made: Record<string, unknown> = {};
      cur[parts[i]] = made;
      cur = made;
    } else if (isPlainObject(next)) cur = next;
    else if (Array.isArray(next)) return undefined;
    else {
      fail(
        ErrorCode.PathNotViable,
        `Cannot create field '${parts[i + 1]}' in element {${parts[i]}: ${JSON.stringify(next)}}`,
      );
    }
  }
  return [cur, parts[parts.length - 1]];
}

export function canApplyFast(mods: Record<string, Record<string, unknown>>): boolean {
  for (const [op, arg] of Object.entries(mods)) {
    if (!FAST_OPS.has(op)) return false;
    for (const path of Object.keys(arg)) {
      if (path.includes('$') || /(^|\.)\d+(\.|$)/.test(path)) return false;
    }
  }
  return true;
}

/** Applies modifiers in place on `doc` (a private copy); returns whether anything changed. */
export function applyFast(
  doc: Document,
  mods: Record<string, Record<string, unknown>>,
): boolean | undefined {
  let changed = false;
  for (const [op, arg] of Object.entries(mods)) {
    for (const [path, value] of Object.entries(arg)) {
      const parts = path.split('.');
      const s = slot(doc, parts, op !== '$unset');
      if (s === undefined) return undefined;
      if (s === null) continue; // $unset of a path that does not exist
      const [c, k] = s;
      const cur = c[k];
      switch (op) {
        case '$set':
          if (
            cur === undefined ||
            encodeValue(cur) !== encodeValue(value) ||
            !sameType(cur, value)
          ) {
            c[k] = cloneValue(value);
            changed = true;
          }
          break;
        case '$unset':
          if (k in c) {
            delete c[k];
            changed = true;
          }
          break;
        case '$inc':
        case '$mul': {
          const n = value as number;
          const base = typeof cur === 'number' ? cur : 0;
          const next = op === '$inc' ? base + n : base * n;
          if (cur === undefined || next !== cur) changed = true;
          c[k] = next;
          break;
        }
        case '$min':
        case '$max': {
          const r = cur === undefined ? 0 : compareValues(value, cur);
          if (cur === undefined || (op === '$min' ? r < 0 : r > 0)) {
            c[k] = cloneValue(value);
            changed = true;
          }
          break;
        }
        default:
          return undefined;
      }
    }
  }
  return changed;
}

function sameType(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && Array.isArray(a) === Array.isArray(b);
}
