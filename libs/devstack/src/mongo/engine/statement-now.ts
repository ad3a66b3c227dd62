// `$$NOW` is one value per statement in MongoDB: a multi-document write whose filter compares it
// with a deadline (the worker's write fence) changes all of its documents or none. mingo instead
// reads Date.now() again for every document it evaluates, unless the options' locals carry a
// timestamp. compileFilter passes the statement's time in the options; our `$expr` copies it
// into the locals that each document's evaluation starts from.
import { $expr as mingoExpr } from 'mingo/operators/query';

const STATEMENT_NOW = 'devstackStatementNow';

type Predicate = (obj: unknown) => boolean;

/** The parts of mingo's ComputeOptions that `$expr` reads and pins. */
interface PinnableOptions {
  readonly options?: Readonly<Record<string, unknown>>;
  readonly local?: { timestamp?: number };
}

/** `base` with the time of this call as the `$$NOW` of every `$expr` compiled with it. */
export function statementOptions<T extends object>(base: T): T {
  return { ...base, [STATEMENT_NOW]: Date.now() };
}

/** mingo's `$expr`, evaluated with the statement's `$$NOW` when the options carry one. */
export function $expr(selector: string, value: unknown, options: unknown): Predicate {
  const { options: given, local } = options as PinnableOptions;
  const at = given?.[STATEMENT_NOW];
  // Sub-queries ($and, $or, $elemMatch) copy the options object, so each of them pins the same.
  if (typeof at === 'number' && local !== undefined) local.timestamp = at;
  return mingoExpr(selector, value, options as Parameters<typeof mingoExpr>[2]);
}
