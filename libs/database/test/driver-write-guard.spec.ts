// The closed-socket write guard on the driver's (internal) Connection: a command written to a
// socket that is destroyed but not yet closed fails as soon as the connection closes, instead of
// hanging forever (which left the monitor of a busy process stuck after an outage).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BSON, MongoNetworkError, type MongoDBNamespace } from 'mongodb';
import { installDriverWriteGuard } from '../src/health/driver-write-guard.js';

// The part of the driver's Connection these tests drive.
interface DriverConnection {
  command(ns: MongoDBNamespace, command: object, options: object): Promise<unknown>;
  listenerCount(event: string): number;
  destroy(): void;
}
type ConnectionClass = new (socket: Socket, options: object) => DriverConnection;
const require = createRequire(import.meta.url);
const { Connection } = require('mongodb/lib/cmap/connection.js') as {
  Connection: ConnectionClass;
};

// The namespace class is exported as a type only; the driver's own helper builds one.
const { ns } = require('mongodb/lib/utils.js') as { ns: (name: string) => MongoDBNamespace };

const OP_MSG = 2013;
const admin = ns('admin.$cmd');

// Answers every request with an OP_MSG `{ ok: 1 }`.
function okReply(request: Buffer): Buffer {
  const body = Buffer.from(BSON.serialize({ ok: 1 }));
  const reply = Buffer.alloc(16 + 4 + 1 + body.length);
  reply.writeInt32LE(reply.length, 0);
  reply.writeInt32LE(1, 4);
  reply.writeInt32LE(request.readInt32LE(4), 8); // responseTo: the request's id
  reply.writeInt32LE(OP_MSG, 12);
  reply.writeUInt8(0, 20); // one body section
  body.copy(reply, 21);
  return reply;
}

async function connectTo(server: Server): Promise<DriverConnection> {
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  const socket = connect(address.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', reject);
  });
  return new Connection(socket, { id: 1, socketTimeoutMS: 5_000 });
}

function settlesWithin(ms: number, promise: Promise<unknown>): Promise<unknown> {
  return Promise.race([
    promise.then(
      (value: unknown) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise((resolve) => setTimeout(() => resolve('still pending'), ms)),
  ]);
}

describe('driver write guard', () => {
  let server: Server;

  before(async () => {
    assert.equal(installDriverWriteGuard(), true, 'the driver internals it patches are there');
    server = createServer((socket) => {
      socket.on('data', (request) => socket.write(okReply(request)));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails a command written between the socket being destroyed and closed', async () => {
    const connection = await connectTo(server);
    // The state a peer's EOF leaves for one turn of the event loop: destroyed, 'close' pending.
    (connection as unknown as { socket: Socket }).socket.destroy();
    const outcome = await settlesWithin(
      1_000,
      connection.command(admin, { ping: 1 }, { socketTimeoutMS: 5_000 }),
    );
    assert.ok(typeof outcome === 'object' && outcome !== null && 'error' in outcome, 'rejected');
    assert.ok(outcome.error instanceof MongoNetworkError, String(outcome.error));
  });

  it('leaves commands on a live connection as they were, with no listener left behind', async () => {
    const connection = await connectTo(server);
    const listeners = connection.listenerCount('close');
    for (let i = 0; i < 20; i++) {
      assert.deepEqual(await connection.command(admin, { ping: 1 }, {}), { ok: 1 });
    }
    assert.equal(connection.listenerCount('close'), listeners);
    connection.destroy();
  });

  it('is installed once however many modules ask for it', () => {
    const { Connection: patched } = require('mongodb/lib/cmap/connection.js') as {
      Connection: { prototype: { writeCommand: unknown } };
    };
    const first = patched.prototype.writeCommand;
    assert.equal(installDriverWriteGuard(), true);
    assert.equal(patched.prototype.writeCommand, first);
  });
});
