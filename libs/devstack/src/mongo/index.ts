// Entry point of the devstack's MongoDB-wire-compatible server (development and tests only).
import { WireServer } from './server.js';
import { Store } from './engine/store.js';
import { TtlMonitor } from './indexes/ttl.js';

export interface MongoServerOptions {
  port?: number;
  host?: string;
  dataDir?: string;
}

export interface MongoServerHandle {
  uri: string;
  port: number;
  stop(): Promise<void>;
  reset(): Promise<void>;
}

/**
 * Starts a MongoDB-wire-compatible server on `host` (default 127.0.0.1) and `port` (default 0,
 * a free port). Data stays in memory unless `dataDir` is given.
 */
export async function startMongoServer(
  options: MongoServerOptions = {},
): Promise<MongoServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store();
  const server = new WireServer(store, { cursorTimeoutMs: 10 * 60_000 });
  const ttl = new TtlMonitor(store, 1000);
  const cursorSweep = setInterval(() => server.cursors.sweep(), 5000);
  cursorSweep.unref();
  const port = await server.listen(options.port ?? 0, host);
  ttl.start();
  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stop: () => {
      stopped ??= (async () => {
        ttl.stop();
        clearInterval(cursorSweep);
        await server.close();
      })();
      return stopped;
    },
    reset: () => {
      store.clear();
      server.cursors.clear();
      return Promise.resolve();
    },
  };
}
