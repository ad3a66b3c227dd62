// Entry point of the devstack's MongoDB-wire-compatible server (development and tests only).
import { Store } from './engine/store.js';
import { TtlMonitor } from './indexes/ttl.js';
import { Persistence } from './persistence/persistence.js';
import { WireServer } from './server.js';

export interface MongoServerOptions {
  port?: number;
  host?: string;
  /** Keep data in this directory (journal + snapshot) instead of memory only. */
  dataDir?: string;
  /** Idle cursors are closed after this long (default 10 minutes). */
  cursorTimeoutMs?: number;
  /** How often expired TTL documents are deleted (default every second). */
  ttlIntervalMs?: number;
}

export interface MongoServerHandle {
  uri: string;
  port: number;
  stop(): Promise<void>;
  reset(): Promise<void>;
}

/**
 * Starts a MongoDB-wire-compatible server on `host` (default 127.0.0.1) and `port` (default 0,
 * a free port). Data stays in memory unless `dataDir` is given. `stop()` closes every socket and
 * flushes the journal; `reset()` drops every database.
 */
export async function startMongoServer(
  options: MongoServerOptions = {},
): Promise<MongoServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const cursorTimeoutMs = options.cursorTimeoutMs ?? 10 * 60_000;
  const store = new Store();
  const persistence = options.dataDir ? new Persistence(options.dataDir, store) : undefined;
  persistence?.open();
  const server = new WireServer(store, { cursorTimeoutMs });
  const ttl = new TtlMonitor(store, options.ttlIntervalMs ?? 1000);
  const cursorSweep = setInterval(
    () => server.cursors.sweep(),
    Math.max(10, Math.min(5000, cursorTimeoutMs / 2)),
  );
  cursorSweep.unref();
  let port: number;
  try {
    port = await server.listen(options.port ?? 0, host);
  } catch (err) {
    clearInterval(cursorSweep);
    persistence?.close();
    throw err;
  }
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
        persistence?.close();
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
