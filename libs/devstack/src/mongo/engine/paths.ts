// Dotted-path helpers with MongoDB's array semantics (a path step over an array visits its
// elements), shared by sorting, index keys, upsert seeding and TTL.
import { isPlainObject } from './values.js';

/**
 * Values reached by `path`. Arrays met on the way are traversed; a leaf array is returned as
 * is when `expandLeaf` is false, or expanded into its elements (multikey) when true.
 */
export function pathValues(
  doc: unknown,
  path: string,
  expandLeaf: boolean,
  missingAsNull = false,
): unknown[] {
  const out: unknown[] = [];
  walk(doc, path.split('.'), 0, expandLeaf, out, missingAsNull);
  return out;
}

function walk(
  v: unknown,
  parts: string[],
  i: number,
  expand: boolean,
  out: unknown[],
  missingAsNull: boolean,
): void {
  if (i === parts.length) {
    if (expand && Array.isArray(v)) {
      if (v.length === 0) out.push(undefined);
      else out.push(...(v as unknown[]));
    } else out.push(v);
    return;
  }
  const part = parts[i];
  if (Array.isArray(v)) {
    const idx = /^\d+$/.test(part) ? Number(part) : -1;
    if (idx >= 0 && idx < v.length) walk(v[idx], parts, i + 1, expand, out, missingAsNull);
    for (const el of v as unknown[]) {
      if (!isPlainObject(el)) continue;
      // Index keys: an element lacking the field contributes null, so {'a.b': null} finds it.
      if (missingAsNull && !Object.prototype.hasOwnProperty.call(el, part)) out.push(null);
      else walk(el, parts, i, expand, out, missingAsNull);
    }
    return;
  }
  if (isPlainObject(v) && Object.prototype.hasOwnProperty.call(v, part)) {
    walk(v[part], parts, i + 1, expand, out, missingAsNull);
  }
}

/** Sets `path` on a plain object, creating intermediate objects. */
export function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (!isPlainObject(next)) {
      const created: Record<string, unknown> = {};
      cur[parts[i]] = created;
      cur = created;
    } else cur = next;
  }
  cur[parts[parts.length - 1]] = value;
}

/** The object that holds the last step of `path`, when every step is a plain object. */
export function parentOf(
  doc: Record<string, unknown>,
  path: string,
): [Record<string, unknown> | unknown[], string] | undefined {
  const parts = path.split('.');
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isPlainObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[parts[i]];
  }
  if (!isPlainObject(cur) && !Array.isArray(cur)) return undefined;
  return [cur as Record<string, unknown>, parts[parts.length - 1]];
}
