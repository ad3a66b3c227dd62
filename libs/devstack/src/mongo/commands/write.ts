// Write commands: insert, update, delete — ordered or unordered, with per-statement writeErrors.
import { BSON, ObjectId, type Document } from 'bson';
import { ErrorCode, MongoServerError, fail, toServerError } from '../errors.js';
import type { Collection } from '../engine/collection.js';
import { sortDocuments } from '../engine/compare.js';
import { applyUpdate, parseUpdate, upsertDocument } from '../engine/update.js';
import { compileFilter, refuseExprInUpsert } from '../engine/query.js';
import { isPlainObject, withIdFirst } from '../engine/values.js';
import {
  collectionArg,
  docArray,
  optionalBool,
  parseSort,
  refuseCollation,
  refuseLet,
} from './args.js';
import type { CommandContext, CommandDef } from './context.js';
import { MAX_BSON_OBJECT_SIZE } from './handshake.js';
import { checkHint } from './read.js';

interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  [extra: string]: unknown;
}

function writeError(index: number, err: unknown): WriteError {
  const e = toServerError(err);
  return { index, code: e.code, codeName: e.codeName, errmsg: e.message, ...e.extra };
}

/** Runs each statement; stops at the first failure when ordered. */
function runStatements<T>(
  items: T[],
  ordered: boolean,
  run: (item: T, i: number) => void,
): WriteError[] {
  const errors: WriteError[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      run(items[i], i);
    } catch (err) {
      errors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return errors;
}

function withErrors(reply: Document, errors: WriteError[]): Document {
  if (errors.length > 0) reply['writeErrors'] = errors;
  return reply;
}

export function prepareInsert(doc: Document): Document {
  const size = BSON.calculateObjectSize(doc);
  if (size > MAX_BSON_OBJECT_SIZE) {
    fail(
      ErrorCode.BadValue,
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
    );
  }
  const id = doc['_id'] as unknown;
  if (id === undefined) return withIdFirst(Object.assign(doc, { _id: new ObjectId() }));
  if (Array.isArray(id)) fail(ErrorCode.InvalidIdField, "The '_id' value cannot be of type array");
  if (id instanceof RegExp)
    fail(ErrorCode.InvalidIdField, "The '_id' value cannot be of type regex");
  return withIdFirst(doc);
}

function insert(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'insert', ctx.db);
  const docs = docArray(cmd, 'insert', 'documents');
  const ordered = optionalBool(cmd, 'insert', 'ordered') ?? true;
  const coll = ctx.store.ensure(ctx.db, name);
  let n = 0;
  const errors = runStatements(docs, ordered, (doc) => {
    coll.insert(prepareInsert(doc));
    n++;
  });
  return withErrors({ n, ok: 1 }, errors);
}

function matchForWrite(coll: Collection, q: Document, multi: boolean, sort?: Document): Document[] {
  if (multi || !sort) return coll.match(q, multi ? 0 : 1);
  return sortDocuments(coll.match(q), parseSort(sort)).slice(0, 1);
}

const UPDATE_FIELDS = new Set([
  'q',
  'u',
  'upsert',
  'multi',
  'arrayFilters',
  'hint',
  'collation',
  'sort',
  'upsertSupplied',
  'c',
]);

function update(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'update', ctx.db);
  const stmts = docArray(cmd, 'update', 'updates');
  const ordered = optionalBool(cmd, 'update', 'ordered') ?? true;
  refuseLet(cmd);
  const coll = ctx.store.ensure(ctx.db, name);
  let n = 0;
  let nModified = 0;
  const upserted: { index: number; _id: unknown }[] = [];
  const errors = runStatements(stmts, ordered, (st, index) => {
    for (const f of Object.keys(st)) {
      if (!UPDATE_FIELDS.has(f))
        fail(ErrorCode.UnknownField, `BSON field 'update.updates.${f}' is an unknown field.`);
    }
    if (st['c'] !== undefined)
      fail(
        ErrorCode.NotImplemented,
        "BSON field 'update.updates.c' (let variables) is not supported by the devstack",
      );
    refuseCollation(st);
    checkHint(coll, st['hint']);
    const q = st['q'] as unknown;
    if (!isPlainObject(q))
      fail(ErrorCode.TypeMismatch, "BSON field 'update.updates.q' is missing or not an object");
    const spec = parseUpdate(st['u']);
    const multi = st['multi'] === true;
    if (multi && spec.kind === 'replacement')
      fail(ErrorCode.FailedToParse, 'multi update is not supported for replacement-style update');
    if (st['upsert'] === true) refuseExprInUpsert(q);
    const arrayFilters = st['arrayFilters'] as Document[] | undefined;
    const matched = matchForWrite(coll, q, multi, st['sort'] as Document | undefined);
    if (matched.length === 0) {
      if (st['upsert'] !== true) return;
      const doc = upsertDocument(q, spec, arrayFilters);
      coll.insert(doc);
      n++;
      upserted.push({ index, _id: doc['_id'] });
      return;
    }
    for (const old of matched) {
      const res = applyUpdate(old, spec, { isInsert: false, arrayFilters, filter: q });
      n++;
      if (res.changed) {
        coll.replace(old, res.doc);
        nModified++;
      }
    }
  });
  const reply: Document = { n, nModified, ok: 1 };
  if (upserted.length > 0) reply['upserted'] = upserted;
  return withErrors(reply, errors);
}

const DELETE_FIELDS = new Set(['q', 'limit', 'hint', 'collation']);

function del(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'delete', ctx.db);
  const stmts = docArray(cmd, 'delete', 'deletes');
  const ordered = optionalBool(cmd, 'delete', 'ordered') ?? true;
  refuseLet(cmd);
  const coll = ctx.store.get(ctx.db, name);
  let n = 0;
  const errors = runStatements(stmts, ordered, (st) => {
    for (const f of Object.keys(st)) {
      if (!DELETE_FIELDS.has(f))
        fail(ErrorCode.UnknownField, `BSON field 'delete.deletes.${f}' is an unknown field.`);
    }
    refuseCollation(st);
    const q = st['q'] as unknown;
    if (!isPlainObject(q))
      fail(ErrorCode.TypeMismatch, "BSON field 'delete.deletes.q' is missing or not an object");
    const limit = st['limit'] as unknown;
    if (limit !== 0 && limit !== 1)
      fail(
        ErrorCode.FailedToParse,
        'The limit field in delete objects must be 0 or 1. Got ' + String(limit),
      );
    if (!coll) {
      compileFilter(q); // a bad filter fails also on a collection that does not exist
      return;
    }
    checkHint(coll, st['hint']);
    for (const doc of coll.match(q, limit)) {
      coll.remove(doc);
      n++;
    }
  });
  return withErrors({ n, ok: 1 }, errors);
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === ErrorCode.DuplicateKey;
}

export const writeCommands: CommandDef[] = [
  { name: 'insert', fields: ['documents', 'ordered', 'bypassDocumentValidation'], handler: insert },
  {
    name: 'update',
    fields: ['updates', 'ordered', 'bypassDocumentValidation', 'let'],
    handler: update,
  },
  { name: 'delete', fields: ['deletes', 'ordered', 'let'], handler: del },
];
