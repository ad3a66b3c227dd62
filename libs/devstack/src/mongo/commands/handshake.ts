// Server identity and session plumbing: hello/isMaster, ping, buildInfo, endSessions,
// listDatabases. We present a standalone server without topologyVersion, so the driver polls
// with plain hello instead of the streaming (exhaust) monitor.
import { BSON, type Document } from 'bson';
import { compileFilter } from '../engine/query.js';
import type { CommandContext, CommandDef } from './context.js';

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_WRITE_BATCH_SIZE = 100_000;
export const SERVER_VERSION = '7.0.0';

export function helloReply(
  cmd: Document,
  connectionId: number,
  maxMessageSizeBytes: number,
): Document {
  const reply: Document = {
    isWritablePrimary: true,
    topologyVersion: undefined,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
  delete reply['topologyVersion'];
  if (cmd['helloOk'] === true) reply['helloOk'] = true;
  if ('isMaster' in cmd || 'ismaster' in cmd) {
    delete reply['isWritablePrimary'];
    reply['ismaster'] = true;
  }
  return reply;
}

const HELLO_FIELDS = [
  'helloOk',
  'client',
  'compression',
  'saslSupportedMechs',
  'speculativeAuthenticate',
  'loadBalanced',
  'topologyVersion',
  'maxAwaitTimeMS',
  'hostInfo',
];

function listDatabases(cmd: Document, ctx: CommandContext): Document {
  const filter = compileFilter(cmd['filter']);
  const nameOnly = cmd['nameOnly'] === true;
  const databases: Document[] = [];
  let totalSize = 0;
  for (const [name, colls] of ctx.store.dbs) {
    let size = 0;
    for (const c of colls.values())
      for (const d of c.docs.values()) size += BSON.calculateObjectSize(d);
    const entry: Document = nameOnly ? { name } : { name, sizeOnDisk: size, empty: size === 0 };
    if (!filter.test(entry)) continue;
    totalSize += size;
    databases.push(entry);
  }
  return nameOnly
    ? { databases, ok: 1 }
    : { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
}

export const handshakeCommands: CommandDef[] = [
  {
    name: 'hello',
    fields: HELLO_FIELDS,
    handler: (cmd, ctx) => helloReply(cmd, ctx.connectionId, ctx.server.maxMessageSizeBytes),
  },
  {
    name: 'isMaster',
    aliases: ['ismaster'],
    fields: HELLO_FIELDS,
    handler: (cmd, ctx) => helloReply(cmd, ctx.connectionId, ctx.server.maxMessageSizeBytes),
  },
  { name: 'ping', fields: [], handler: () => ({ ok: 1 }) },
  {
    name: 'buildInfo',
    aliases: ['buildinfo'],
    fields: [],
    handler: () => ({
      version: SERVER_VERSION,
      gitVersion: 'devstack',
      versionArray: [7, 0, 0, 0],
      bits: 64,
      debug: false,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      storageEngines: ['devstack'],
      modules: [],
      javascriptEngine: 'none',
      ok: 1,
    }),
  },
  { name: 'endSessions', fields: [], handler: () => ({ ok: 1 }) },
  {
    name: 'listDatabases',
    fields: ['filter', 'nameOnly', 'authorizedDatabases'],
    handler: listDatabases,
  },
];
