// serverStatus: the subset drivers, shells and monitoring tools read (version, uptime, local
// time, connection counts). Section toggles such as `{repl: 0}` are accepted and change nothing.
import { Long, type Document } from 'bson';
import { hostname } from 'node:os';
import type { CommandContext, CommandDef } from './context.js';
import { SERVER_VERSION } from './handshake.js';

// What the devstack would refuse beyond this is not a resource limit; a believable figure.
const AVAILABLE_CONNECTIONS = 838_860;

function serverStatus(_cmd: Document, ctx: CommandContext): Document {
  const now = new Date();
  const uptimeMillis = now.getTime() - ctx.server.startedAt.getTime();
  const { current, totalCreated } = ctx.server.connections;
  return {
    host: hostname(),
    version: SERVER_VERSION,
    process: 'mongod',
    pid: Long.fromNumber(process.pid),
    uptime: uptimeMillis / 1000,
    uptimeMillis: Long.fromNumber(uptimeMillis),
    uptimeEstimate: Long.fromNumber(Math.floor(uptimeMillis / 1000)),
    localTime: now,
    connections: {
      current,
      available: AVAILABLE_CONNECTIONS - current,
      totalCreated,
      active: current,
    },
    storageEngine: { name: 'devstack', supportsCommittedReads: false, persistentCache: false },
    ok: 1,
  };
}

export const serverStatusCommands: CommandDef[] = [
  { name: 'serverStatus', fields: [], anyFields: true, handler: serverStatus },
];
