// Works around a hang in the MongoDB driver (mongodb 7.8.0): a command written to a connection
// whose socket is already destroyed, but whose 'close' event has not fired yet, never settles.
//
// Connection.writeCommand (node_modules/mongodb/lib/cmap/connection.js, `writeCommand`; source:
// https://github.com/mongodb/node-mongodb-native/blob/v7.8.0/src/cmap/connection.ts) awaits
// 'drain' whenever `socket.write()` returns false. On a destroyed socket Node returns false and
// emits neither 'drain' nor 'error', and the 'close' that follows only fails a pending *read*
// (Connection.cleanup → dataEvents.throw); the socket timeout cannot fire on a destroyed socket.
//
// When the server (or anything between) closes every connection at once, the driver reads each
// EOF in one turn of the event loop: a pooled connection's failure marks the server Unknown, and
// server selection wakes the monitor synchronously (topology.js processWaitQueue →
// queueMicrotask(requestCheck)); if the monitor's own socket is destroyed but not yet closed at
// that instant, its polling `hello` hangs forever. The monitor stays in 'monitoring', ignores
// every later requestCheck, and the server stays Unknown: every operation of the process fails
// with MongoServerSelectionError until it restarts (mongo-faults e2e, 'slow' scenario).
//
// The guard makes a write never outlive its connection: when the connection closes while the
// write is pending, the write fails with the connection's own error, as a read would. The
// heartbeat then fails, and the next one reconnects. It relies on driver internals, so it is
// feature-detected; drop it once the driver fails such writes itself.
import { createRequire } from 'node:module';

// What the guard uses of the driver's internal Connection (not part of its public types).
interface DriverConnection {
  readonly error: Error | null;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}
type WriteCommand = (this: DriverConnection, ...args: unknown[]) => Promise<void>;
interface ConnectionModule {
  Connection?: { prototype: { writeCommand?: WriteCommand } };
}

const GUARDED = Symbol.for('sharexpress.driverWriteGuard');

function guard(write: WriteCommand): WriteCommand {
  const guarded: WriteCommand = function (this: DriverConnection, ...args) {
    const written = write.apply(this, args);
    return new Promise<void>((resolve, reject) => {
      // cleanup() sets `error` before it emits 'close'.
      const onClose = () => reject(this.error ?? new Error('connection closed'));
      this.once('close', onClose);
      written.then(resolve, reject).finally(() => this.off('close', onClose));
    });
  };
  Object.defineProperty(guarded, GUARDED, { value: true });
  return guarded;
}

/**
 * Installs the guard on the driver's Connection (once per process). Returns false when the
 * driver no longer has the internals it patches (then nothing is changed).
 */
export function installDriverWriteGuard(): boolean {
  let connectionModule: ConnectionModule;
  try {
    const require = createRequire(import.meta.url);
    connectionModule = require('mongodb/lib/cmap/connection.js') as ConnectionModule;
  } catch {
    return false;
  }
  const prototype = connectionModule.Connection?.prototype;
  const write = prototype?.writeCommand;
  if (prototype === undefined || typeof write !== 'function') return false;
  if (!(GUARDED in write)) prototype.writeCommand = guard(write);
  return true;
}
