// The positional `$`: which element of an array the query matched. MongoDB remembers the array
// index its match went through; we find the first element for which the query's conditions on
// that array hold when the array is reduced to that one element.
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { compileFilter, type Filter } from './query.js';
import { isPlainObject } from './values.js';

/** The filter's conditions on `arrayPath` or below it (also through a top-level `$and`). */
function conditionsOn(filter: Filter, arrayPath: string): Filter[] {
  const out: Filter[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v as unknown[])
        if (isPlainObject(sub)) out.push(...conditionsOn(sub, arrayPath));
    } else if (k === arrayPath || k.startsWith(arrayPath + '.')) out.push({ [k]: v });
  }
  return out;
}

/** `doc` with the value at `parts` replaced (containers on the way copied); undefined when the path crosses a non-object. */
export function replacedAt(
  doc: Document,
  parts: readonly string[],
  value: unknown,
): Document | undefined {
  const top: Document = { ...doc };
  let cur: Record<string, unknown> = top;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (!isPlainObject(next)) return undefined;
    const copy = { ...next };
    cur[parts[i]] = copy;
    cur = copy;
  }
  cur[parts[parts.length - 1]] = value;
  return top;
}

/**
 * Index of the element of the array at `arrayPath` that the query matched, or -1 when the
 * query has no condition on that array or none of its elements satisfies them.
 */
export function matchedIndex(doc: Document, filter: Filter | undefined, arrayPath: string): number {
  const parts = arrayPath.split('.');
  const conditions = conditionsOn(filter ?? {}, arrayPath);
  if (conditions.length === 0) return -1;
  let arr: unknown = doc;
  for (const p of parts) arr = isPlainObject(arr) ? arr[p] : undefined;
  if (!Array.isArray(arr)) return -1;
  const test = compileFilter(conditions.length === 1 ? conditions[0] : { $and: conditions });
  for (let i = 0; i < arr.length; i++) {
    const probe = replacedAt(doc, parts, [arr[i]]);
    if (probe && test.test(probe)) return i;
  }
  return -1;
}

/** The matched index for an update's `$`; MongoDB's error when there is none. */
export function positionalIndexForUpdate(
  doc: Document,
  filter: Filter | undefined,
  arrayPath: string,
): number {
  const i = matchedIndex(doc, filter, arrayPath);
  if (i < 0)
    fail(
      ErrorCode.BadValue,
      'The positional operator did not find the match needed from the query.',
    );
  return i;
}
