// Parsing a find projection into a tree of paths, with MongoDB's rules: inclusion and exclusion
// do not mix (except `_id`), `$slice` alone keeps every other field, `$elemMatch`, `arr.$` and
// expressions include, two paths may not collide, and `$meta` is refused.
import { ErrorCode, fail } from '../errors.js';
import { isPlainObject } from './values.js';

export type Leaf =
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'slice'; skip: number | undefined; limit: number }
  | { kind: 'elemMatch'; criteria: Record<string, unknown> }
  | { kind: 'positional'; arrayPath: string }
  | { kind: 'expr'; expr: unknown };

export interface Tree {
  readonly children: Map<string, Tree | Leaf>;
}

export interface ParsedProjection {
  readonly tree: Tree;
  readonly inclusion: boolean;
  readonly idExcluded: boolean;
  readonly hasExpressions: boolean;
}

const isTree = (n: Tree | Leaf | undefined): n is Tree => n !== undefined && 'children' in n;

function sliceLeaf(path: string, arg: unknown): Leaf {
  const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  if (int(arg)) return { kind: 'slice', skip: undefined, limit: arg };
  if (Array.isArray(arg) && arg.length === 2 && int(arg[0]) && int(arg[1])) {
    if (arg[1] <= 0) fail(ErrorCode.BadValue, `$slice limit must be positive for '${path}'`);
    return { kind: 'slice', skip: arg[0], limit: arg[1] };
  }
  return fail(
    ErrorCode.BadValue,
    `$slice of '${path}' takes a number or an array of two numbers [skip, limit]`,
  );
}

function leafOf(path: string, value: unknown): Leaf {
  if (typeof value === 'number' || typeof value === 'boolean') {
    return value ? { kind: 'include' } : { kind: 'exclude' };
  }
  if (isPlainObject(value)) {
    const ops = Object.keys(value);
    if (ops.length === 1 && ops[0] === '$slice') return sliceLeaf(path, value['$slice']);
    if (ops.length === 1 && ops[0] === '$elemMatch') {
      if (path.includes('.')) {
        fail(ErrorCode.BadValue, `Cannot use $elemMatch projection on a nested field: '${path}'`);
      }
      const criteria = value['$elemMatch'];
      if (!isPlainObject(criteria)) fail(ErrorCode.BadValue, '$elemMatch needs an Object');
      return { kind: 'elemMatch', criteria };
    }
    if (ops.includes('$meta')) {
      fail(ErrorCode.NotImplemented, '$meta projections are not supported by the devstack');
    }
  }
  return { kind: 'expr', expr: value };
}

/** Flattens nested specs (`{a: {b: 1}}` is `{'a.b': 1}`) into [path, value] pairs. */
function flatten(spec: Record<string, unknown>, prefix: string, out: [string, unknown][]): void {
  for (const [k, v] of Object.entries(spec)) {
    const path = prefix + k;
    if (k.startsWith('$') && prefix === '') {
      fail(ErrorCode.BadValue, `FieldPath field names may not start with '$': '${k}'`);
    }
    const nested = isPlainObject(v) && Object.keys(v).length > 0;
    if (nested && !Object.keys(v).some((x) => x.startsWith('$'))) flatten(v, path + '.', out);
    else out.push([path, v]);
  }
}

export function parseProjection(spec: Record<string, unknown>): ParsedProjection {
  const entries: [string, unknown][] = [];
  flatten(spec, '', entries);
  const tree: Tree = { children: new Map() };
  let include: string | undefined;
  let exclude: string | undefined;
  let positional = 0;
  let hasExpressions = false;
  let idExcluded = false;
  let idIncluded = false;
  let slices = false;
  for (const [rawPath, value] of entries) {
    let path = rawPath;
    let leaf: Leaf;
    if (rawPath.endsWith('.$')) {
      path = rawPath.slice(0, -2);
      if (++positional > 1) {
        fail(ErrorCode.BadValue, 'Cannot specify more than one positional projection per query.');
      }
      leaf = { kind: 'positional', arrayPath: path };
    } else {
      if (rawPath.split('.').includes('$')) {
        fail(ErrorCode.BadValue, `Positional projection '${rawPath}' must end in '.$'`);
      }
      leaf = leafOf(rawPath, value);
    }
    if (path === '_id' && (leaf.kind === 'include' || leaf.kind === 'exclude')) {
      idExcluded = leaf.kind === 'exclude';
      idIncluded = !idExcluded;
    } else if (leaf.kind === 'exclude') exclude ??= path;
    else if (leaf.kind === 'slice') slices = true;
    else include ??= path;
    if (leaf.kind === 'expr') hasExpressions = true;
    insert(tree, path, leaf);
  }
  if (include !== undefined && exclude !== undefined) {
    const first = entries.findIndex(([p]) => p === include || p === include + '.$');
    const second = entries.findIndex(([p]) => p === exclude);
    if (first < second) {
      fail(31254, `Cannot do exclusion on field ${exclude} in inclusion projection`);
    }
    fail(31253, `Cannot do inclusion on field ${include} in exclusion projection`);
  }
  return {
    tree,
    // `{_id: 1}` alone includes only _id; `$slice` alone keeps every other field.
    inclusion: include !== undefined || (exclude === undefined && !slices && idIncluded),
    idExcluded,
    hasExpressions,
  };
}

function insert(tree: Tree, path: string, leaf: Leaf): void {
  const parts = path.split('.');
  let node = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = node.children.get(parts[i]);
    if (next !== undefined && !isTree(next)) collision(path, parts.slice(0, i + 1).join('.'));
    if (next === undefined) {
      const made: Tree = { children: new Map() };
      node.children.set(parts[i], made);
      node = made;
    } else node = next;
  }
  const last = parts[parts.length - 1];
  if (node.children.has(last)) collision(path, path);
  node.children.set(last, leaf);
}

function collision(path: string, at: string): never {
  const rest = path === at ? path : path.slice(at.length + 1);
  return fail(31249, `Path collision at ${path} remaining portion ${rest}`);
}
