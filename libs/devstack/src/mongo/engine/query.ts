// Filters: mingo evaluates them; we translate its errors into MongoDB's codes and extract the
// equality conditions an index can answer.
import type { Document } from 'bson';
import { Query } from 'mingo/query';
import { ErrorCode, MongoServerError } from '../errors.js';
import { ENGINE_CONTEXT } from './mingo-context.js';
import { compileSimple } from './simple-match.js';
import { statementOptions } from './statement-now.js';
import { isDBRefDocument, isPlainObject } from './values.js';

export type Filter = Record<string, unknown>;

const QUERY_OPTIONS = {
  useStrictMode: true,
  scriptEnabled: false,
  idKey: '_id',
  context: ENGINE_CONTEXT,
} as const;

/** Maps mingo's messages to MongoDB's error codes and wording. */
export function translateMingoError(err: unknown): MongoServerError {
  if (err instanceof MongoServerError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  let m = /unknown top level operator:? (\$\w+)/i.exec(msg);
  if (m) return new MongoServerError(ErrorCode.BadValue, `unknown top level operator: ${m[1]}`);
  m = /unknown (?:query |expression |projection )?operator:? '?(\$\w+)/i.exec(msg);
  if (m) return new MongoServerError(ErrorCode.BadValue, `unknown operator: ${m[1]}`);
  if (/scriptEnabled/.test(msg)) {
    return new MongoServerError(
      ErrorCode.NotImplemented,
      'server-side JavaScript ($where, $function, $accumulator) is not supported by the devstack',
    );
  }
  if (/immutable field '_id'/.test(msg)) {
    return new MongoServerError(
      ErrorCode.ImmutableField,
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
  }
  m = /accumulator '(\$\w+)' is not registered/.exec(msg);
  if (m)
    return new MongoServerError(
      ErrorCode.InvalidPipelineOperator,
      `Unrecognized expression '${m[1]}'`,
    );
  m = /unregistered pipeline operator (\$\w+)/i.exec(msg);
  if (m) {
    return new MongoServerError(
      ErrorCode.UnrecognizedPipelineStage,
      `Unrecognized pipeline stage name: '${m[1]}'`,
    );
  }
  return new MongoServerError(ErrorCode.BadValue, msg);
}

export interface CompiledFilter {
  test(doc: Document): boolean;
  readonly matchesAll: boolean;
}

const MATCH_ALL: CompiledFilter = { test: () => true, matchesAll: true };

/** Rewrites DBRef values (`{owner: {$ref, $id}}`) as `$eq`, so mingo does not take them for operators. */
function withDBRefEqualities(filter: Filter): Filter {
  let out: Filter | undefined;
  for (const [k, v] of Object.entries(filter)) {
    let next = v;
    if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) {
      next = (v as unknown[]).map((sub) => (isPlainObject(sub) ? withDBRefEqualities(sub) : sub));
    } else if (!k.startsWith('$') && isDBRefDocument(v)) next = { $eq: v };
    else if (!k.startsWith('$') && isPlainObject(v) && isPlainObject(v['$elemMatch'])) {
      const inner = v['$elemMatch'];
      if (!Object.keys(inner).some((x) => x.startsWith('$'))) {
        next = { ...v, $elemMatch: withDBRefEqualities(inner) };
      }
    }
    if (next !== v) out ??= { ...filter };
    if (out) out[k] = next;
  }
  return out ?? filter;
}

export function compileFilter(raw: unknown): CompiledFilter {
  if (raw === undefined || raw === null) return MATCH_ALL;
  if (!isPlainObject(raw)) {
    throw new MongoServerError(ErrorCode.TypeMismatch, 'filter must be an object');
  }
  if (Object.keys(raw).length === 0) return MATCH_ALL;
  const filter = withDBRefEqualities(raw);
  const simple = compileSimple(filter);
  if (simple) return { test: simple, matchesAll: false };
  try {
    // Compiled once per statement: its $expr conditions share one $$NOW.
    const q = new Query(filter, statementOptions(QUERY_OPTIONS));
    return {
      test: (doc) => {
        try {
          return q.test(doc);
        } catch (err) {
          throw translateMingoError(err);
        }
      },
      matchesAll: false,
    };
  } catch (err) {
    throw translateMingoError(err);
  }
}

/**
 * MongoDB refuses `$expr` in the query of an upsert (the document it would insert cannot honour
 * it), wherever it sits: at the top or under `$and` / `$or` / `$nor`. Checked before matching, so
 * the refusal does not depend on whether a document matches.
 */
export function refuseExprInUpsert(filter: unknown): void {
  if (!isPlainObject(filter)) return;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$expr') {
      throw new MongoServerError(
        ErrorCode.QueryFeatureNotAllowed,
        '$expr is not allowed in the query predicate for an upsert',
      );
    }
    if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) {
      for (const sub of v as unknown[]) refuseExprInUpsert(sub);
    }
  }
}

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys[0].startsWith('$');
}

/**
 * Equality conditions on plain fields (`{a: v}`, `{a: {$eq: v}}`, and through a top-level
 * `$and`). `$in` lists are returned separately. Regexes never count as equalities.
 */
export function equalityConditions(filter: Filter): {
  eq: Map<string, unknown>;
  inLists: Map<string, unknown[]>;
} {
  const eq = new Map<string, unknown>();
  const inLists = new Map<string, unknown[]>();
  const visit = (f: Filter): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      if (v instanceof RegExp || Array.isArray(v)) continue;
      if (isOperatorObject(v)) {
        const ops = Object.keys(v);
        if (ops.length === 1 && ops[0] === '$eq' && !(v['$eq'] instanceof RegExp)) {
          if (!Array.isArray(v['$eq']) && !isPlainObject(v['$eq'])) eq.set(k, v['$eq']);
        } else if (ops.length === 1 && ops[0] === '$in' && Array.isArray(v['$in'])) {
          const list = v['$in'] as unknown[];
          if (list.every((x) => !(x instanceof RegExp) && !Array.isArray(x) && !isPlainObject(x))) {
            inLists.set(k, list);
          }
        }
        continue;
      }
      if (isPlainObject(v)) continue; // whole-subdocument equality: leave it to mingo
      eq.set(k, v);
    }
  };
  visit(filter);
  return { eq, inLists };
}
