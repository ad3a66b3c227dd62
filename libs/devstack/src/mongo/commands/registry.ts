// The command table and the dispatcher: resolves the command, refuses unknown fields and
// transactions, converts values to the engine model and shapes errors like MongoDB.
import type { Document } from 'bson';
import { ErrorCode, MongoServerError, errorReply, fail, toServerError } from '../errors.js';
import { validateDbName } from '../engine/store.js';
import { isPlainObject, toEngine } from '../engine/values.js';
import { aggregateCommands } from './aggregate.js';
import { GENERIC_FIELDS } from './args.js';
import type { CommandContext, CommandDef } from './context.js';
import { ddlCommands } from './ddl.js';
import { findAndModifyCommands } from './find-and-modify.js';
import { handshakeCommands } from './handshake.js';
import { indexCommands } from './index-commands.js';
import { readCommands } from './read.js';
import { serverStatusCommands } from './server-status.js';
import { writeCommands } from './write.js';

const TXN_FIELDS = ['txnNumber', 'autocommit', 'startTransaction'];
const READ_CONCERN_LEVELS = new Set(['local', 'available', 'majority']);
const WRITE_CONCERN_FIELDS = new Set(['w', 'j', 'wtimeout', 'fsync', 'provenance']);

const table = new Map<string, CommandDef>();
const allowedFields = new Map<CommandDef, Set<string>>();
for (const def of [
  ...handshakeCommands,
  ...ddlCommands,
  ...indexCommands,
  ...readCommands,
  ...writeCommands,
  ...findAndModifyCommands,
  ...aggregateCommands,
  ...serverStatusCommands,
]) {
  table.set(def.name, def);
  allowedFields.set(def, new Set(def.fields));
  for (const alias of def.aliases ?? []) table.set(alias, def);
}

function checkGeneric(cmd: Document): void {
  for (const f of TXN_FIELDS) {
    if (f in cmd) {
      fail(
        ErrorCode.IllegalOperation,
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
    }
  }
  const rc = cmd['readConcern'] as unknown;
  if (rc !== undefined) {
    if (!isPlainObject(rc)) fail(ErrorCode.TypeMismatch, 'readConcern must be an object');
    for (const [k, v] of Object.entries(rc)) {
      if (k !== 'level' || typeof v !== 'string' || !READ_CONCERN_LEVELS.has(v)) {
        fail(
          ErrorCode.NotImplemented,
          `readConcern ${JSON.stringify(rc)} is not supported by the devstack`,
        );
      }
    }
  }
  const wc = cmd['writeConcern'] as unknown;
  if (wc !== undefined) {
    if (!isPlainObject(wc)) fail(ErrorCode.TypeMismatch, 'writeConcern must be an object');
    for (const k of Object.keys(wc)) {
      if (!WRITE_CONCERN_FIELDS.has(k))
        fail(ErrorCode.FailedToParse, `unrecognized write concern field: ${k}`);
    }
  }
  const api = cmd['apiVersion'] as unknown;
  if (api !== undefined && api !== '1') fail(322, `API version must be "1"`);
}

/** Runs one command document; always returns a reply (errors become `{ok: 0, …}`). */
export function runCommand(cmd: Document, ctx: Omit<CommandContext, 'db'>): Document {
  try {
    const name = Object.keys(cmd)[0];
    if (name === undefined) fail(ErrorCode.CommandNotFound, 'no such command: empty command');
    const def = table.get(name);
    if (!def) fail(ErrorCode.CommandNotFound, `no such command: '${name}'`);
    const db = validateDbName(cmd['$db']);
    checkGeneric(cmd);
    const allowed = allowedFields.get(def)!;
    for (const field of Object.keys(cmd).slice(1)) {
      if (!def.anyFields && !GENERIC_FIELDS.has(field) && !allowed.has(field)) {
        fail(ErrorCode.UnknownField, `BSON field '${def.name}.${field}' is an unknown field.`);
      }
    }
    return def.handler(toEngine(cmd), { ...ctx, db });
  } catch (err) {
    return errorReply(err instanceof MongoServerError ? err : toServerError(err));
  }
}
