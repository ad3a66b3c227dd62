// Namespace commands: create, drop, dropDatabase, listCollections.
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { compileFilter } from '../engine/query.js';
import { encodeValue } from '../indexes/key.js';
import { ID_INDEX_SPEC } from '../engine/collection.js';
import { collectionArg, GENERIC_FIELDS, refuseCollation, refuseIfSet } from './args.js';
import type { CommandContext, CommandDef } from './context.js';
import { firstBatchReply } from './cursor-reply.js';

const CREATE_REFUSED = [
  'capped',
  'size',
  'max',
  'validator',
  'viewOn',
  'pipeline',
  'timeseries',
  'clusteredIndex',
  'expireAfterSeconds',
  'changeStreamPreAndPostImages',
  'encryptedFields',
];

function create(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'create', ctx.db);
  const options: Document = {};
  for (const [k, v] of Object.entries(cmd) as [string, unknown][]) {
    if (k !== 'create' && !GENERIC_FIELDS.has(k)) options[k] = v;
  }
  // Since MongoDB 7.0 an identical re-create succeeds; different options are a conflict.
  const existing = ctx.store.get(ctx.db, name);
  if (existing && encodeValue(existing.options) === encodeValue(options)) return { ok: 1 };
  if (existing) {
    fail(
      ErrorCode.NamespaceExists,
      `Collection ${ctx.db}.${name} already exists with different options.`,
    );
  }
  refuseCollation(cmd);
  refuseIfSet(cmd, 'create', CREATE_REFUSED);
  ctx.store.create(ctx.db, name, options);
  return { ok: 1 };
}

function drop(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'drop', ctx.db);
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) fail(ErrorCode.NamespaceNotFound, 'ns not found');
  const nIndexesWas = coll.indexSpecs.length;
  ctx.store.drop(ctx.db, name);
  return { nIndexesWas, ns: coll.ns, ok: 1 };
}

function dropDatabase(cmd: Document, ctx: CommandContext): Document {
  if (cmd['dropDatabase'] !== 1) fail(ErrorCode.IllegalOperation, 'have to pass 1 as db parameter');
  ctx.store.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
}

function listCollections(cmd: Document, ctx: CommandContext): Document {
  const filter = compileFilter(cmd['filter']);
  const nameOnly = cmd['nameOnly'] === true;
  const entries: Document[] = [];
  for (const coll of ctx.store.dbs.get(ctx.db)?.values() ?? []) {
    const full: Document = {
      name: coll.name,
      type: 'collection',
      options: coll.options,
      info: { readOnly: false },
      idIndex: ID_INDEX_SPEC,
    };
    if (!filter.test(full)) continue;
    entries.push(nameOnly ? { name: coll.name, type: 'collection' } : full);
  }
  const cursor = cmd['cursor'] as Document | undefined;
  const batchSize = typeof cursor?.['batchSize'] === 'number' ? cursor['batchSize'] : undefined;
  return firstBatchReply(ctx.cursors, `${ctx.db}.$cmd.listCollections`, entries, batchSize, false);
}

export const ddlCommands: CommandDef[] = [
  {
    name: 'create',
    fields: [
      'collation',
      'idIndex',
      'storageEngine',
      'indexOptionDefaults',
      'validationLevel',
      'validationAction',
      'autoIndexId',
      'flags',
      ...CREATE_REFUSED,
    ],
    handler: create,
  },
  { name: 'drop', fields: [], handler: drop },
  { name: 'dropDatabase', fields: [], handler: dropDatabase },
  {
    name: 'listCollections',
    fields: ['filter', 'nameOnly', 'authorizedCollections', 'cursor'],
    handler: listCollections,
  },
];
