// Where an update path lands: the (container, key) slots of `a.b`, `a.0.b`, `a.$.b`, `a.$[].b`
// and `a.$[id].b`, with MongoDB's rules for creating missing fields, for paths that cannot be
// created (28), for array updates on missing or non-array fields (2) and for arrayFilters.
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { positionalIndexForUpdate } from './positional.js';
import { compileFilter, type CompiledFilter, type Filter } from './query.js';
import { getOwn, isPlainObject, setOwn } from './values.js';

export type Container = Record<string, unknown> | unknown[];

export interface Slot {
  readonly container: Container;
  readonly key: string;
  /** The concrete path written (positional parts replaced by indexes). */
  readonly path: string;
}

export interface TargetContext {
  /** The document being updated (a private copy). */
  readonly doc: Document;
  /** The document as the query matched it: the positional `$` is found there. */
  readonly matched: Document;
  readonly filter: Filter | undefined;
  readonly arrayFilters: ArrayFilters;
}

const isPositional = (p: string): boolean => p === '$' || (p.startsWith('$[') && p.endsWith(']'));

export function hasPositional(path: string): boolean {
  return path.split('.').some(isPositional);
}

/** The arrayFilters of one update, by identifier; tracks which ones the paths used. */
export class ArrayFilters {
  private readonly byId = new Map<string, CompiledFilter>();
  private readonly used = new Set<string>();

  constructor(filters: unknown) {
    if (filters === undefined || filters === null) return;
    if (!Array.isArray(filters)) fail(ErrorCode.TypeMismatch, 'arrayFilters must be an array');
    for (const f of filters as unknown[]) {
      if (!isPlainObject(f)) fail(ErrorCode.TypeMismatch, 'each array filter must be an object');
      const ids = new Set<string>();
      collectIds(f, ids);
      if (ids.size !== 1) {
        fail(
          ErrorCode.FailedToParse,
          `Error parsing array filter :: caused by :: Expected a single top-level field name, found ${[...ids].map((i) => `'${i}'`).join(' and ') || 'none'}`,
        );
      }
      const [id] = ids;
      if (this.byId.has(id)) {
        fail(
          ErrorCode.FailedToParse,
          `Found multiple array filters with the same top-level field name ${id}`,
        );
      }
      this.byId.set(id, compileFilter(f));
    }
  }

  /** Whether an array element satisfies the filter of `id` (MongoDB's 2 when there is none). */
  matches(id: string, path: string, element: unknown): boolean {
    const f = this.byId.get(id);
    if (!f)
      fail(ErrorCode.BadValue, `No array filter found for identifier '${id}' in path '${path}'`);
    this.used.add(id);
    return f.test({ [id]: element });
  }

  /** Identifiers the update paths mention: every filter must be used. */
  checkAllUsed(paths: readonly string[]): void {
    const mentioned = new Set<string>();
    for (const path of paths) {
      for (const p of path.split('.'))
        if (p.startsWith('$[') && p.length > 3) mentioned.add(p.slice(2, -1));
    }
    for (const id of this.byId.keys()) {
      if (!mentioned.has(id)) {
        fail(
          ErrorCode.FailedToParse,
          `The array filter for identifier '${id}' was not used in the update`,
        );
      }
    }
  }
}

function collectIds(f: Record<string, unknown>, out: Set<string>): void {
  for (const [k, v] of Object.entries(f)) {
    if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) {
      for (const sub of v as unknown[]) if (isPlainObject(sub)) collectIds(sub, out);
    } else if (!k.startsWith('$')) out.add(k.split('.')[0]);
  }
}

export function checkPathSyntax(path: string): void {
  const parts = path.split('.');
  if (parts.some((p) => p === '')) {
    fail(
      ErrorCode.BadValue,
      `The update path '${path}' contains an empty field name, which is not allowed.`,
    );
  }
  if (parts[0].startsWith('$')) {
    fail(
      ErrorCode.BadValue,
      `The dollar ($) prefixed field '${parts[0]}' in '${path}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
    );
  }
  if (parts.filter((p) => p === '$').length > 1) {
    fail(ErrorCode.BadValue, `Too many positional (i.e. '$') elements found in path '${path}'`);
  }
  for (const p of parts) {
    if (
      p.startsWith('$[') &&
      p.endsWith(']') &&
      p !== '$[]' &&
      !/^\$\[[a-z][a-zA-Z0-9]*\]$/.test(p)
    ) {
      fail(
        ErrorCode.BadValue,
        `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${p.slice(2, -1)}'`,
      );
    }
  }
}

const show = (key: string, v: unknown): string => {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return `{${key}: ${text}}`;
};

/**
 * The slots `path` designates in `ctx.doc`. With `create`, missing objects on the way are made
 * (and arrays padded with null up to a numeric index); without it, a path that does not exist
 * designates nothing ($unset, $pull, $pop).
 */
export function resolveSlots(path: string, create: boolean, ctx: TargetContext): Slot[] {
  const parts = path.split('.');
  const out: Slot[] = [];
  let positionalIndex: number | undefined;

  const step = (c: Container, i: number, prefix: string, holderKey: string): void => {
    const p = parts[i];
    if (isPositional(p)) {
      const arrayPath = prefix;
      if (!Array.isArray(c)) {
        fail(
          ErrorCode.BadValue,
          `Cannot apply array updates to non-array element ${show(holderKey, c)}`,
        );
      }
      let indices: number[];
      if (p === '$') {
        positionalIndex ??= positionalIndexForUpdate(ctx.matched, ctx.filter, arrayPath);
        indices = positionalIndex < c.length ? [positionalIndex] : [];
      } else if (p === '$[]') indices = c.map((_, j) => j);
      else {
        const id = p.slice(2, -1);
        indices = [];
        c.forEach((el, j) => {
          if (ctx.arrayFilters.matches(id, path, el)) indices.push(j);
        });
      }
      for (const j of indices) land(c, String(j), i, prefix);
      return;
    }
    if (Array.isArray(c) && !/^\d+$/.test(p)) {
      if (!create) return;
      fail(ErrorCode.PathNotViable, `Cannot create field '${p}' in element ${show(holderKey, c)}`);
    }
    land(c, p, i, prefix);
  };

  const land = (c: Container, key: string, i: number, prefix: string): void => {
    const here = prefix === '' ? key : `${prefix}.${key}`;
    if (i === parts.length - 1) {
      out.push({ container: c, key, path: here });
      return;
    }
    const next = getOwn(c, key);
    if (next === undefined) {
      if (!create) return;
      if (isPositional(parts[i + 1])) {
        if (parts[i + 1] === '$') {
          fail(
            ErrorCode.BadValue,
            'The positional operator did not find the match needed from the query.',
          );
        }
        fail(
          ErrorCode.BadValue,
          `The path '${here}' must exist in the document in order to apply array updates.`,
        );
      }
      const made: Record<string, unknown> = {};
      put(c, key, made);
      step(made, i + 1, here, key);
      return;
    }
    if (isPlainObject(next) || Array.isArray(next)) {
      step(next, i + 1, here, key);
      return;
    }
    if (!create) return;
    if (isPositional(parts[i + 1])) {
      fail(
        ErrorCode.BadValue,
        `Cannot apply array updates to non-array element ${show(key, next)}`,
      );
    }
    fail(
      ErrorCode.PathNotViable,
      `Cannot create field '${parts[i + 1]}' in element ${show(key, next)}`,
    );
  };

  step(ctx.doc, 0, '', '');
  return out;
}

/** Writes `value` at `key`; an index past the end of an array pads it with null. */
export function put(c: Container, key: string, value: unknown): void {
  if (Array.isArray(c)) {
    const idx = Number(key);
    while (c.length < idx) c.push(null);
    c[idx] = value;
  } else setOwn(c, key, value);
}

export function valueAt(slot: Slot): unknown {
  return getOwn(slot.container, slot.key);
}

/** Fails with 40 when two concrete paths written by one update overlap. */
export function checkNoOverlap(paths: readonly string[]): void {
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const [a, b] =
        paths[i].length <= paths[j].length ? [paths[i], paths[j]] : [paths[j], paths[i]];
      if (a === b || b.startsWith(a + '.')) {
        fail(ErrorCode.ConflictingUpdateOperators, `Update created a conflict at '${a}'`);
      }
    }
  }
}
