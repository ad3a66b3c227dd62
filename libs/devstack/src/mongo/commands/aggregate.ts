// aggregate: pipelines run by mingo over the collection's documents (pre-filtered through the
// indexes when the pipeline starts with $match).
import type { Document } from 'bson';
import { ProcessingMode } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import * as accumulators from 'mingo/operators/accumulator';
import { ENGINE_CONTEXT } from '../engine/mingo-context.js';
import { ErrorCode, fail } from '../errors.js';
import { translateMingoError } from '../engine/query.js';
import { copyTagsDeep, isPlainObject, withIdFirst } from '../engine/values.js';
import {
  collectionArg,
  optionalBool,
  optionalDoc,
  optionalNumber,
  refuseCollation,
  refuseLet,
} from './args.js';
import type { CommandContext, CommandDef } from './context.js';
import { firstBatchReply } from './cursor-reply.js';
import { checkHint } from './read.js';

const STAGES = new Set([
  '$addFields',
  '$bucket',
  '$bucketAuto',
  '$count',
  '$densify',
  '$documents',
  '$facet',
  '$fill',
  '$graphLookup',
  '$group',
  '$limit',
  '$lookup',
  '$match',
  '$project',
  '$redact',
  '$replaceRoot',
  '$replaceWith',
  '$sample',
  '$set',
  '$setWindowFields',
  '$skip',
  '$sort',
  '$sortByCount',
  '$unionWith',
  '$unset',
  '$unwind',
]);
// Stages that never write into their input documents, so the stored ones need no copy.
const NON_MUTATING = new Set([
  '$match',
  '$group',
  '$count',
  '$sort',
  '$limit',
  '$skip',
  '$project',
  '$sortByCount',
]);
const REFUSED = new Set([
  '$out',
  '$merge',
  '$changeStream',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$search',
  '$geoNear',
  '$planCacheStats',
]);

const ACCUMULATORS = new Set(Object.keys(accumulators));

function checkAccumulators(group: unknown): void {
  if (!isPlainObject(group)) fail(15947, 'a group specification must be an object');
  for (const [field, spec] of Object.entries(group)) {
    if (field === '_id' || !isPlainObject(spec)) continue;
    const op = Object.keys(spec)[0];
    if (op !== undefined && !ACCUMULATORS.has(op))
      fail(ErrorCode.UnknownGroupOperator, `unknown group operator '${op}'`);
  }
}

export function validatePipeline(pipeline: unknown): Document[] {
  if (!Array.isArray(pipeline))
    fail(ErrorCode.TypeMismatch, "BSON field 'aggregate.pipeline' is missing or not an array");
  for (const stage of pipeline as unknown[]) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      fail(
        ErrorCode.Location40323,
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
    const name = Object.keys(stage)[0];
    if (REFUSED.has(name))
      fail(ErrorCode.NotImplemented, `${name} is not supported by the devstack`);
    if (!STAGES.has(name))
      fail(ErrorCode.UnrecognizedPipelineStage, `Unrecognized pipeline stage name: '${name}'`);
    if (name === '$group') checkAccumulators(stage[name]);
  }
  return pipeline as Document[];
}

function aggregate(cmd: Document, ctx: CommandContext): Document {
  refuseCollation(cmd);
  refuseLet(cmd);
  if (cmd['explain'] !== undefined)
    fail(ErrorCode.NotImplemented, 'explain is not supported by the devstack');
  const cursorOpt = optionalDoc(cmd, 'aggregate', 'cursor');
  if (!cursorOpt)
    fail(
      ErrorCode.FailedToParse,
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  const batchSize = optionalNumber(cursorOpt, 'aggregate.cursor', 'batchSize');
  optionalBool(cmd, 'aggregate', 'allowDiskUse');
  let pipeline = validatePipeline(cmd['pipeline']);

  let source: Document[];
  let ns: string;
  if (cmd['aggregate'] === 1) {
    if (Object.keys(pipeline[0] ?? {})[0] !== '$documents') {
      fail(
        ErrorCode.InvalidNamespace,
        '{aggregate: 1} is not valid for the devstack except with $documents',
      );
    }
    source = [];
    ns = `${ctx.db}.$cmd.aggregate`;
  } else {
    const name = collectionArg(cmd, 'aggregate', ctx.db);
    ns = `${ctx.db}.${name}`;
    const coll = ctx.store.get(ctx.db, name);
    checkHint(coll, cmd['hint']);
    const first = pipeline[0];
    if (coll && first && isPlainObject(first['$match']) && !('$expr' in first['$match'])) {
      source = coll.match(first['$match']);
      pipeline = pipeline.slice(1);
    } else {
      source = coll ? [...coll.docs.values()] : [];
    }
  }
  const mutating = pipeline.some((s) => !NON_MUTATING.has(Object.keys(s)[0]));
  let docs: Document[];
  try {
    docs = new Aggregator(pipeline, {
      useStrictMode: true,
      // Server-side JavaScript ($where, $function, $accumulator) is never run.
      scriptEnabled: false,
      idKey: '_id',
      context: ENGINE_CONTEXT,
      processingMode: mutating ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF,
      collectionResolver: (name: string) => [...(ctx.store.get(ctx.db, name)?.docs.values() ?? [])],
    }).run<Document>(source);
  } catch (err) {
    throw translateMingoError(err);
  }
  const coll =
    typeof cmd['aggregate'] === 'string' ? ctx.store.get(ctx.db, cmd['aggregate']) : undefined;
  if (coll) {
    // Results that still carry a stored document's _id get its numeric types back.
    for (const d of docs) {
      const src = '_id' in d ? coll.getById(d['_id']) : undefined;
      if (src) copyTagsDeep(src, d);
    }
    docs = docs.map(withIdFirst);
  }
  return firstBatchReply(ctx.cursors, ns, docs, batchSize, false);
}

export const aggregateCommands: CommandDef[] = [
  {
    name: 'aggregate',
    fields: [
      'pipeline',
      'cursor',
      'explain',
      'allowDiskUse',
      'hint',
      'collation',
      'let',
      'bypassDocumentValidation',
    ],
    handler: aggregate,
  },
];
