// The operator context every mingo call uses: mingo's own operators, with ours in place where
// the engine's value model needs them. (mingo's preloaded entry points let their defaults win
// over a custom context, so we build the full context and use the base classes.)
import { Context } from 'mingo';
import * as accumulator from 'mingo/operators/accumulator';
import * as expression from 'mingo/operators/expression';
import * as pipeline from 'mingo/operators/pipeline';
import * as projection from 'mingo/operators/projection';
import * as query from 'mingo/operators/query';
import * as window from 'mingo/operators/window';
import * as ours from './query-ops.js';
import { $expr } from './statement-now.js';
import { $type } from './type-operator.js';

type Ops = NonNullable<Parameters<typeof Context.init>[0]>;

export const ENGINE_CONTEXT = Context.init({
  accumulator,
  expression,
  pipeline,
  projection,
  window,
  // mingo's operator typing is a union of its own signatures; ours has the documented shape.
  query: { ...query, ...ours, $type, $expr } as unknown as Ops['query'],
});
