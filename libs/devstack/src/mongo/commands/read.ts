// Read commands: find, getMore, killCursors, count, distinct.
import { Long, type Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { sortDocuments } from '../engine/compare.js';
import type { Collection } from '../engine/collection.js';
import { pathValues } from '../engine/paths.js';
import { compileFilter } from '../engine/query.js';
import { compileProjection } from '../engine/projection.js';
import { encodeValue } from '../indexes/key.js';
import { isPlainObject } from '../engine/values.js';
import {
  collectionArg,
  optionalBool,
  optionalDoc,
  optionalNumber,
  parseSort,
  refuseCollation,
  refuseIfSet,
  refuseLet,
} from './args.js';
import type { CommandContext, CommandDef } from './context.js';
import { firstBatchReply, takeBatch } from './cursor-reply.js';

export function checkHint(coll: Collection | undefined, hint: unknown): void {
  if (hint === undefined || hint === null || coll === undefined) return;
  // A collection scan in natural order is what the devstack does anyway.
  if (isPlainObject(hint) && Object.keys(hint).join() === '$natural') return;
  const specs = coll.indexSpecs;
  const found =
    typeof hint === 'string'
      ? specs.some((s) => s.name === hint)
      : specs.some((s) => encodeValue(s.key) === encodeValue(hint));
  if (!found)
    fail(
      ErrorCode.BadValue,
      'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
    );
}

function cursorNamespaceArg(cmd: Document, field: string): string {
  const v = cmd[field] as unknown;
  if (typeof v !== 'string' || v === '') {
    fail(ErrorCode.TypeMismatch, `BSON field '${field}' must be a non-empty string`);
  }
  return v;
}

// Cursor ids arrive as int64; the engine model turned safe ones into numbers.
function cursorId(v: unknown): Long {
  if (v instanceof Long) return v;
  if (typeof v === 'number' && Number.isInteger(v)) return Long.fromNumber(v);
  return fail(ErrorCode.TypeMismatch, "cursor id must be of type 'long'");
}

function find(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'find', ctx.db);
  const ns = `${ctx.db}.${name}`;
  refuseCollation(cmd);
  refuseLet(cmd);
  refuseIfSet(cmd, 'find', [
    'returnKey',
    'showRecordId',
    'tailable',
    'awaitData',
    'min',
    'max',
    'oplogReplay',
  ]);
  const filter = optionalDoc(cmd, 'find', 'filter');
  const sort = parseSort(optionalDoc(cmd, 'find', 'sort'));
  const project = compileProjection(optionalDoc(cmd, 'find', 'projection'), filter);
  const skip = optionalNumber(cmd, 'find', 'skip') ?? 0;
  let limit = optionalNumber(cmd, 'find', 'limit') ?? 0;
  const batchSize = optionalNumber(cmd, 'find', 'batchSize');
  let singleBatch = optionalBool(cmd, 'find', 'singleBatch') ?? false;
  if (skip < 0) fail(51024, `BSON field 'skip' value must be >= 0, actual value '${skip}'`);
  if (batchSize !== undefined && batchSize < 0)
    fail(51024, `BSON field 'batchSize' value must be >= 0, actual value '${batchSize}'`);
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const coll = ctx.store.get(ctx.db, name);
  checkHint(coll, cmd['hint']);
  if (!coll) {
    compileFilter(filter); // a bad filter fails also on a collection that does not exist
    return { cursor: { firstBatch: [], id: Long.ZERO, ns }, ok: 1 };
  }
  let docs = coll.match(filter, sort.length === 0 && limit > 0 ? skip + limit : 0);
  docs = sortDocuments(docs, sort);
  if (skip > 0) docs = docs.slice(skip);
  if (limit > 0) docs = docs.slice(0, limit);
  docs = project(docs);
  return firstBatchReply(ctx.cursors, ns, docs, batchSize, singleBatch);
}

function getMore(cmd: Document, ctx: CommandContext): Document {
  const id = cursorId(cmd['getMore']);
  // Not validated as a collection name: listCollections cursors live on '$cmd.listCollections'.
  const collName = cursorNamespaceArg(cmd, 'collection');
  const batchSize = optionalNumber(cmd, 'getMore', 'batchSize') ?? 0;
  const cursor = ctx.cursors.get(id);
  if (!cursor) fail(ErrorCode.CursorNotFound, `cursor id ${id.toString()} not found`);
  if (cursor.ns !== `${ctx.db}.${collName}`) {
    fail(
      ErrorCode.Unauthorized,
      `Requested getMore on namespace '${ctx.db}.${collName}', but cursor belongs to a different namespace ${cursor.ns}`,
    );
  }
  const [batch, pos] = takeBatch(cursor.docs, cursor.pos, batchSize);
  cursor.pos = pos;
  const done = pos >= cursor.docs.length;
  if (done) ctx.cursors.kill(id);
  return { cursor: { nextBatch: batch, id: done ? Long.ZERO : id, ns: cursor.ns }, ok: 1 };
}

function killCursors(cmd: Document, ctx: CommandContext): Document {
  cursorNamespaceArg(cmd, 'killCursors');
  const ids = cmd['cursors'] as unknown;
  if (!Array.isArray(ids))
    fail(ErrorCode.TypeMismatch, "BSON field 'killCursors.cursors' is missing or not an array");
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of ids as unknown[]) {
    const id = cursorId(raw);
    (ctx.cursors.kill(id) ? killed : notFound).push(id);
  }
  return {
    cursorsKilled: killed,
    cursorsNotFound: notFound,
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
}

function count(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'count', ctx.db);
  refuseCollation(cmd);
  const query = optionalDoc(cmd, 'count', 'query');
  const skip = optionalNumber(cmd, 'count', 'skip') ?? 0;
  const limit = Math.abs(optionalNumber(cmd, 'count', 'limit') ?? 0);
  const coll = ctx.store.get(ctx.db, name);
  checkHint(coll, cmd['hint']);
  if (!coll) {
    compileFilter(query);
    return { n: 0, ok: 1 };
  }
  let n = query && Object.keys(query).length > 0 ? coll.match(query).length : coll.docs.size;
  n = Math.max(0, n - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
}

function distinct(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'distinct', ctx.db);
  refuseCollation(cmd);
  const key = cmd['key'] as unknown;
  if (typeof key !== 'string')
    fail(ErrorCode.TypeMismatch, "BSON field 'distinct.key' is missing or not a string");
  const coll = ctx.store.get(ctx.db, name);
  checkHint(coll, cmd['hint']);
  if (!coll) {
    compileFilter(optionalDoc(cmd, 'distinct', 'query'));
    return { values: [], ok: 1 };
  }
  const seen = new Map<string, unknown>();
  for (const doc of coll.match(optionalDoc(cmd, 'distinct', 'query'))) {
    for (const v of pathValues(doc, key, true)) {
      if (v === undefined) continue;
      const k = encodeValue(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  return {
    values: sortDocuments(
      [...seen.values()].map((v) => ({ v })),
      [['v', 1]],
    ).map((d) => d.v),
    ok: 1,
  };
}

export const readCommands: CommandDef[] = [
  {
    name: 'find',
    fields: [
      'filter',
      'sort',
      'projection',
      'hint',
      'skip',
      'limit',
      'batchSize',
      'singleBatch',
      'collation',
      'let',
      'returnKey',
      'showRecordId',
      'tailable',
      'awaitData',
      'min',
      'max',
      'oplogReplay',
      'noCursorTimeout',
      'allowDiskUse',
      'allowPartialResults',
      'readOnce',
    ],
    handler: find,
  },
  { name: 'getMore', fields: ['collection', 'batchSize'], handler: getMore },
  { name: 'killCursors', fields: ['cursors'], handler: killCursors },
  {
    name: 'count',
    fields: ['query', 'skip', 'limit', 'hint', 'collation', 'fields'],
    handler: count,
  },
  { name: 'distinct', fields: ['key', 'query', 'hint', 'collation'], handler: distinct },
];
