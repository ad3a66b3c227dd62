// findAndModify: one atomic read-modify-write on a single document (the product's workhorse).
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { sortDocuments } from '../engine/compare.js';
import { compileProjection } from '../engine/projection.js';
import { refuseExprInUpsert } from '../engine/query.js';
import { applyUpdate, parseUpdate, upsertDocument } from '../engine/update.js';
import {
  collectionArg,
  optionalBool,
  optionalDoc,
  parseSort,
  refuseCollation,
  refuseLet,
} from './args.js';
import type { CommandContext, CommandDef } from './context.js';
import { checkHint } from './read.js';

function findAndModify(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'findAndModify', ctx.db);
  refuseCollation(cmd);
  refuseLet(cmd);
  const query = optionalDoc(cmd, 'findAndModify', 'query') ?? {};
  const sort = parseSort(optionalDoc(cmd, 'findAndModify', 'sort'));
  const remove = optionalBool(cmd, 'findAndModify', 'remove') ?? false;
  const returnNew = optionalBool(cmd, 'findAndModify', 'new') ?? false;
  const upsert = optionalBool(cmd, 'findAndModify', 'upsert') ?? false;
  const project = compileProjection(optionalDoc(cmd, 'findAndModify', 'fields'), query);
  const arrayFilters = cmd['arrayFilters'] as Document[] | undefined;
  if (remove && cmd['update'] !== undefined)
    fail(ErrorCode.FailedToParse, 'Cannot specify both an update and remove=true');
  if (!remove && cmd['update'] === undefined)
    fail(ErrorCode.FailedToParse, 'Either an update or remove=true must be specified');
  if (remove && (upsert || returnNew))
    fail(
      ErrorCode.FailedToParse,
      'Cannot specify both upsert=true and remove=true, or new=true and remove=true',
    );
  const spec = remove ? undefined : parseUpdate(cmd['update']);
  if (upsert) refuseExprInUpsert(query);

  const coll = ctx.store.ensure(ctx.db, name);
  checkHint(coll, cmd['hint']);
  const found =
    sort.length > 0 ? sortDocuments(coll.match(query), sort)[0] : coll.match(query, 1)[0];
  const out = (doc: Document | undefined): Document | null => (doc ? project([doc])[0] : null);

  if (remove) {
    if (found) coll.remove(found);
    return { lastErrorObject: { n: found ? 1 : 0 }, value: out(found), ok: 1 };
  }
  if (!found) {
    if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const doc = upsertDocument(query, spec!, arrayFilters);
    coll.insert(doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc['_id'] as unknown },
      value: returnNew ? out(doc) : null,
      ok: 1,
    };
  }
  const res = applyUpdate(found, spec!, { isInsert: false, arrayFilters, filter: query });
  if (res.changed) coll.replace(found, res.doc);
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: out(returnNew ? res.doc : found),
    ok: 1,
  };
}

export const findAndModifyCommands: CommandDef[] = [
  {
    name: 'findAndModify',
    aliases: ['findandmodify'],
    fields: [
      'query',
      'sort',
      'remove',
      'update',
      'new',
      'fields',
      'upsert',
      'bypassDocumentValidation',
      'collation',
      'arrayFilters',
      'hint',
      'let',
    ],
    handler: findAndModify,
  },
];
