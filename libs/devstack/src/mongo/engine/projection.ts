// Find projections: plain top-level inclusion/exclusion takes a fast path; everything else
// (dotted paths, `arr.$`, $elemMatch, $slice) is applied here on the parsed tree, and only
// aggregation expressions are evaluated by mingo. Numeric types are kept throughout.
import type { Document } from 'bson';
import { evalExpr } from 'mingo/core';
import { ErrorCode, fail } from '../errors.js';
import { ENGINE_CONTEXT } from './mingo-context.js';
import { matchedIndex } from './positional.js';
import { parseProjection, type Leaf, type ParsedProjection, type Tree } from './projection-spec.js';
import { compileFilter, translateMingoError, type CompiledFilter, type Filter } from './query.js';
import { getTag, isPlainObject, setOwn, setTag } from './values.js';

export type Projector = (docs: Document[]) => Document[];

const identity: Projector = (docs) => docs;

export function compileProjection(spec: Document | undefined, filter?: Filter): Projector {
  if (!spec || Object.keys(spec).length === 0) return identity;
  const parsed = parseProjection(spec); // validates (mixed modes, collisions, $meta)
  const entries = Object.entries(spec);
  const simple = entries.every(
    ([k, v]) =>
      !k.includes('.') && !k.startsWith('$') && (typeof v === 'number' || typeof v === 'boolean'),
  );
  if (simple) {
    const fields = entries.filter(([k]) => k !== '_id').map(([k]) => k);
    return (docs) => docs.map((d) => project(d, fields, parsed.inclusion, parsed.idExcluded));
  }
  const elemMatches = new Map<Leaf, CompiledFilter>();
  const apply = (doc: Document): Document => {
    const ctx: Ctx = { root: doc, filter, parsed, elemMatches };
    const out = parsed.inclusion
      ? includeIn(doc, parsed.tree, ctx, true)
      : excludeIn(doc, parsed.tree, ctx);
    return out;
  };
  return (docs) => docs.map(apply);
}

interface Ctx {
  readonly root: Document;
  readonly filter: Filter | undefined;
  readonly parsed: ParsedProjection;
  readonly elemMatches: Map<Leaf, CompiledFilter>;
}

type Obj = Record<string, unknown>;
const isTree = (n: Tree | Leaf): n is Tree => 'children' in n;

function includeIn(src: Obj, tree: Tree, ctx: Ctx, top: boolean): Obj {
  const out: Obj = {};
  if (top && !ctx.parsed.idExcluded && '_id' in src && !tree.children.has('_id')) {
    copy(src, out, '_id');
  }
  for (const key of Object.keys(src)) {
    const node = tree.children.get(key);
    if (node === undefined) continue;
    if (isTree(node)) {
      const v = includeValue(src[key], node, ctx);
      if (v !== undefined) setOwn(out, key, v);
      continue;
    }
    projectLeaf(src, out, key, node, ctx);
  }
  for (const [key, node] of tree.children) {
    if (key in out || key in src) continue;
    // Computed fields exist whether or not the document has the field.
    if (!isTree(node) && node.kind === 'expr') setOwn(out, key, compute(ctx.root, node.expr));
    else if (isTree(node) && hasExpr(node)) setOwn(out, key, includeIn({}, node, ctx, false));
  }
  return out;
}

function includeValue(v: unknown, tree: Tree, ctx: Ctx): unknown {
  if (isPlainObject(v)) return includeIn(v, tree, ctx, false);
  if (Array.isArray(v)) {
    // Subpaths of an array reach into its documents (and nested arrays); scalars drop out.
    const out: unknown[] = [];
    for (const el of v as unknown[]) {
      const x = includeValue(el, tree, ctx);
      if (x !== undefined) out.push(x);
    }
    return out;
  }
  return hasExpr(tree) ? includeIn({}, tree, ctx, false) : undefined;
}

function excludeIn(src: Obj, tree: Tree, ctx: Ctx): Obj {
  const out: Obj = {};
  for (const key of Object.keys(src)) {
    const node = tree.children.get(key);
    if (node === undefined) copy(src, out, key);
    else if (isTree(node)) setOwn(out, key, excludeValue(src[key], node, ctx));
    else projectLeaf(src, out, key, node, ctx);
  }
  return out;
}

function excludeValue(v: unknown, tree: Tree, ctx: Ctx): unknown {
  if (isPlainObject(v)) return excludeIn(v, tree, ctx);
  if (Array.isArray(v)) return (v as unknown[]).map((el) => excludeValue(el, tree, ctx));
  return v;
}

function projectLeaf(src: Obj, out: Obj, key: string, leaf: Leaf, ctx: Ctx): void {
  const v = src[key];
  switch (leaf.kind) {
    case 'include':
      copy(src, out, key);
      return;
    case 'exclude': // in an inclusion projection, only _id: 0
      return;
    case 'slice':
      if (Array.isArray(v)) setOwn(out, key, slice(v, leaf.skip, leaf.limit));
      else copy(src, out, key);
      return;
    case 'elemMatch': {
      if (!Array.isArray(v)) return;
      let test = ctx.elemMatches.get(leaf);
      if (!test) {
        test = compileFilter({ e: { $elemMatch: leaf.criteria } });
        ctx.elemMatches.set(leaf, test);
      }
      const i = (v as unknown[]).findIndex((el) => test.test({ e: [el] }));
      if (i >= 0) setOwn(out, key, pick(v, [i]));
      return;
    }
    case 'positional': {
      if (!Array.isArray(v)) {
        if (v !== undefined) copy(src, out, key);
        return;
      }
      const i = matchedIndex(ctx.root, ctx.filter, leaf.arrayPath);
      if (i < 0) {
        fail(
          ErrorCode.BadValue,
          `Executor error during find command :: caused by :: positional operator '${leaf.arrayPath}.$' couldn't find a matching element in the array`,
        );
      }
      setOwn(out, key, pick(v, [i]));
      return;
    }
    case 'expr':
      setOwn(out, key, compute(ctx.root, leaf.expr));
      return;
  }
}

function hasExpr(tree: Tree): boolean {
  for (const node of tree.children.values()) {
    if (isTree(node) ? hasExpr(node) : node.kind === 'expr') return true;
  }
  return false;
}

/** `$slice: n` (negative: from the end) or `[skip, limit]` (negative skip: from the end). */
function slice(arr: unknown[], skip: number | undefined, limit: number): unknown[] {
  const n = arr.length;
  let start: number;
  let end: number;
  if (skip === undefined) {
    start = limit >= 0 ? 0 : Math.max(0, n + limit);
    end = limit >= 0 ? Math.min(n, limit) : n;
  } else {
    start = skip >= 0 ? Math.min(skip, n) : Math.max(0, n + skip);
    end = Math.min(n, start + limit);
  }
  const indices: number[] = [];
  for (let i = start; i < end; i++) indices.push(i);
  return pick(arr, indices);
}

/** The listed elements of `arr` as a new array, numeric types kept. */
function pick(arr: unknown[], indices: number[]): unknown[] {
  const out: unknown[] = [];
  indices.forEach((from, to) => {
    out.push(arr[from]);
    const tag = getTag(arr, String(from));
    if (tag) setTag(out, String(to), tag);
  });
  return out;
}

const EXPR_OPTIONS = {
  useStrictMode: true,
  scriptEnabled: false,
  idKey: '_id',
  context: ENGINE_CONTEXT,
} as const;

function compute(root: Document, expr: unknown): unknown {
  try {
    return evalExpr(root, expr, EXPR_OPTIONS as never);
  } catch (err) {
    throw translateMingoError(err);
  }
}

function project(doc: Document, fields: string[], include: boolean, idExcluded: boolean): Document {
  const out: Document = {};
  if (include) {
    if (!idExcluded && '_id' in doc) out['_id'] = doc['_id'] as unknown;
    for (const f of fields) if (f in doc) copy(doc, out, f);
  } else {
    const drop = new Set(fields);
    if (idExcluded) drop.add('_id');
    for (const k of Object.keys(doc)) if (!drop.has(k)) copy(doc, out, k);
  }
  return out;
}

function copy(from: Document, to: Document, key: string): void {
  setOwn(to, key, from[key]);
  const tag = getTag(from, key);
  if (tag) setTag(to, key, tag);
}

export function isInclusionOnlyOf(spec: unknown, field: string): boolean {
  return isPlainObject(spec) && Object.keys(spec).length === 1 && spec[field] === 1;
}
