// Which documents a filter may match, found without a scan when the filter pins `_id` or the
// leading fields of an index by equality or `$in` at top level. The caller still tests every
// candidate against the whole filter, so a lookup only has to return a superset of the matches.
import type { SecondaryIndex } from '../indexes/index.js';
import { encodeValue } from '../indexes/key.js';
import { equalityConditions, type Filter } from './query.js';

// More index keys than this (a cross product of $in lists) and a scan is as cheap.
const MAX_KEYS = 4096;

export interface Lookup {
  /** Encoded _ids, possibly repeated and possibly of documents that do not exist. */
  ids: string[];
  /** True when the filter is one `_id` equality: the candidate needs no further test. */
  exact: boolean;
}

/** The encoded keys of the longest leading run of `fields` that `values` pins, and its length. */
function prefixKeys(
  fields: readonly string[],
  values: (field: string) => readonly unknown[] | undefined,
): { keys: string[]; length: number } {
  let keys: string[] = [];
  let length = 0;
  for (const field of fields) {
    const listed = values(field);
    if (!listed) break;
    const encoded = [...new Set(listed.map(encodeValue))];
    const next =
      length === 0 ? encoded : keys.flatMap((prefix) => encoded.map((e) => `${prefix}|${e}`));
    if (next.length > MAX_KEYS) break;
    keys = next;
    length++;
  }
  return { keys, length };
}

/** The candidates' ids, or undefined when only a scan can answer `filter`. */
export function lookupCandidates(
  filter: Filter,
  indexes: readonly SecondaryIndex[],
): Lookup | undefined {
  const { eq, inLists } = equalityConditions(filter);
  const values = (field: string): readonly unknown[] | undefined =>
    eq.has(field) ? [eq.get(field)] : inLists.get(field);
  const idValues = values('_id');
  if (idValues) {
    // Only a top-level {_id: v} alone; an _id equality inside $and has company.
    const keys = Object.keys(filter);
    const exact = keys.length === 1 && keys[0] === '_id' && eq.has('_id');
    return { ids: idValues.map(encodeValue), exact };
  }
  if (eq.size === 0 && inLists.size === 0) return undefined;
  // Of the indexes the filter can use, the one that yields the fewest candidates wins.
  let best: { ix: SecondaryIndex; keys: string[]; length: number; count: number } | undefined;
  for (const ix of indexes) {
    if (!ix.usableForLookup) continue;
    const { keys, length } = prefixKeys(ix.fields, values);
    if (length === 0) continue;
    let count = 0;
    for (const key of keys) count += ix.count(key, length);
    if (!best || count < best.count) best = { ix, keys, length, count };
  }
  if (!best) return undefined;
  const { ix, keys, length } = best;
  return { ids: keys.flatMap((key) => ix.lookup(key, length)), exact: false };
}
