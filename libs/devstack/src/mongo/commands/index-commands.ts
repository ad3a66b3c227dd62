// Index commands: createIndexes (all-or-nothing), listIndexes, dropIndexes.
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { validateIndexSpec, type IndexSpec } from '../indexes/spec.js';
import { encodeValue } from '../indexes/key.js';
import { isPlainObject } from '../engine/values.js';
import { collectionArg } from './args.js';
import type { CommandContext, CommandDef } from './context.js';
import { firstBatchReply } from './cursor-reply.js';

function createIndexes(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'createIndexes', ctx.db);
  const raw = cmd['indexes'] as unknown;
  if (!Array.isArray(raw) || raw.length === 0) {
    fail(ErrorCode.BadValue, 'Must specify at least one index to create');
  }
  const specs = (raw as unknown[]).map(validateIndexSpec);
  const existed = ctx.store.get(ctx.db, name) !== undefined;
  const coll = ctx.store.ensure(ctx.db, name);
  const before = coll.indexSpecs.length;
  const added: IndexSpec[] = [];
  try {
    for (const spec of specs) if (coll.addIndex(spec)) added.push(spec);
  } catch (err) {
    for (const spec of added) coll.dropIndex(spec.name);
    throw err;
  }
  for (const spec of added) ctx.store.sink.createIndex(coll.ns, spec);
  const reply: Document = {
    createdCollectionAutomatically: !existed,
    numIndexesBefore: before,
    numIndexesAfter: coll.indexSpecs.length,
    ok: 1,
  };
  if (added.length === 0) reply['note'] = 'all indexes already exist';
  return reply;
}

function listIndexes(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'listIndexes', ctx.db);
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) fail(ErrorCode.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
  const cursor = cmd['cursor'] as Document | undefined;
  const batchSize = typeof cursor?.['batchSize'] === 'number' ? cursor['batchSize'] : undefined;
  return firstBatchReply(ctx.cursors, coll.ns, coll.indexSpecs, batchSize, false);
}

function dropIndexes(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'dropIndexes', ctx.db);
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) fail(ErrorCode.NamespaceNotFound, `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexSpecs.length;
  const target = cmd['index'] as unknown;
  let names: string[];
  if (target === '*') names = coll.indexes.map((i) => i.name);
  else if (typeof target === 'string') names = [target];
  else if (Array.isArray(target) && target.every((t) => typeof t === 'string')) names = target;
  else if (isPlainObject(target)) {
    const found = coll.indexSpecs.find((s) => encodeValue(s.key) === encodeValue(target));
    if (!found)
      fail(ErrorCode.IndexNotFound, `can't find index with key: ${JSON.stringify(target)}`);
    names = [found.name];
  } else {
    fail(
      ErrorCode.TypeMismatch,
      "BSON field 'dropIndexes.index' must be a string, an array of strings or an object",
    );
  }
  if (names.includes('_id_')) fail(ErrorCode.InvalidOptions, 'cannot drop _id index');
  for (const n of names) {
    if (!coll.indexes.some((i) => i.name === n))
      fail(ErrorCode.IndexNotFound, `index not found with name [${n}]`);
  }
  for (const n of names) {
    coll.dropIndex(n);
    ctx.store.sink.dropIndex(coll.ns, n);
  }
  return { nIndexesWas, ok: 1 };
}

export const indexCommands: CommandDef[] = [
  { name: 'createIndexes', fields: ['indexes', 'commitQuorum'], handler: createIndexes },
  { name: 'listIndexes', fields: ['cursor'], handler: listIndexes },
  { name: 'dropIndexes', aliases: ['deleteIndexes'], fields: ['index'], handler: dropIndexes },
];
