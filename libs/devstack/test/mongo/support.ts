// Shared harness for the MongoDB-wire conformance suite. By default every spec file starts its
// own devstack server on a free loopback port; with MONGODB_URI set, the same specs run against
// a real MongoDB so the suite itself can be checked against the behaviour it claims to test:
//   node --import tsx --test libs/devstack/test/mongo/*.spec.ts                  (devstack)
//   MONGODB_URI=mongodb://127.0.0.1:27017 node --import tsx --test libs/devstack/test/mongo/*.spec.ts
// Against a real server each file uses its own database conf_<topic>_<random> and drops it at
// the end; devstack-only files (persistence, fuzz) are skipped with a reason.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MongoClient,
  type Collection,
  type Db,
  type Document,
  type MongoClientOptions,
  type ObjectId,
} from 'mongodb';
import mongoose, { type ConnectOptions, type Connection } from 'mongoose';
import { startMongoServer } from '../../src/mongo/index.js';

/** A schemaless document whose _id may be any of the scalar kinds the suite uses. */
export interface Doc extends Document {
  _id?: string | number | ObjectId;
}

type DevstackHandle = Awaited<ReturnType<typeof startMongoServer>>;

const externalUri = process.env.MONGODB_URI;

/** True when the suite runs against a real MongoDB given by MONGODB_URI. */
export const usingRealMongo = externalUri !== undefined && externalUri !== '';

/** Skip reason for tests that exercise the devstack itself (restart, wire fuzzing). */
export const devstackOnly: string | false = usingRealMongo
  ? 'devstack-only: MONGODB_URI points at a real MongoDB'
  : false;

export interface Target {
  /** Connection string of the server under test (no database path). */
  readonly uri: string;
  /** Unique database for this spec file: conf_<topic>_<random>. */
  readonly dbName: string;
  /** Shared driver client (default options). */
  readonly client: MongoClient;
  readonly db: Db;
  /** Opens an extra driver client; closed by `close()`. */
  connect(options?: MongoClientOptions): Promise<MongoClient>;
  /** Opens a Mongoose connection on this target's database; closed by `close()`. */
  mongoose(options?: ConnectOptions): Promise<Connection>;
  /** Drops the database (real MongoDB), closes every client and stops the devstack. */
  close(): Promise<void>;
}

/** Starts (or connects to) the server under test for one spec file. */
export async function openTarget(topic: string): Promise<Target> {
  const devstack = usingRealMongo
    ? undefined
    : await startMongoServer({ port: 0, host: '127.0.0.1' });
  const uri = externalUri ?? devstack?.uri ?? '';
  const dbName = `conf_${topic}_${randomBytes(4).toString('hex')}`;
  const clients: MongoClient[] = [];
  const connections: Connection[] = [];

  const connect = async (options: MongoClientOptions = {}): Promise<MongoClient> => {
    // Short timeouts: a server that stops answering must fail a test, not hang the suite.
    const c = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, ...options });
    clients.push(c);
    await c.connect();
    return c;
  };
  const client = await connect();

  return {
    uri,
    dbName,
    client,
    db: client.db(dbName),
    connect,
    async mongoose(options: ConnectOptions = {}) {
      const conn = mongoose.createConnection(uri, {
        dbName,
        serverSelectionTimeoutMS: 5000,
        autoIndex: false,
        ...options,
      });
      connections.push(conn);
      await conn.asPromise();
      return conn;
    },
    async close() {
      if (usingRealMongo) await client.db(dbName).dropDatabase();
      await Promise.all(connections.map((c) => c.close()));
      await Promise.all(clients.map((c) => c.close()));
      await devstack?.stop();
    },
  };
}

/** A devstack server with a data directory, for persistence tests. */
export async function startPersistentDevstack(dataDir: string): Promise<DevstackHandle> {
  return startMongoServer({ port: 0, host: '127.0.0.1', dataDir });
}

/** Creates a throwaway directory and returns it with its cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it succeeded. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Awaits `promise` and returns the error it rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    if (typeof err === 'object' && err !== null) return err as Record<string, unknown>;
    throw new Error(`rejected with a non-object: ${String(err)}`, { cause: err });
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

/** The fields of a listIndexes entry that the suite checks. */
export interface IndexInfo {
  readonly name: string;
  readonly key: Record<string, unknown>;
  readonly v?: number;
  readonly unique?: boolean;
  readonly sparse?: boolean;
  readonly expireAfterSeconds?: number;
  readonly partialFilterExpression?: Record<string, unknown>;
}

/** listIndexes as a map from index name to its description. */
export async function indexesOf(coll: Collection): Promise<Map<string, IndexInfo>> {
  const list = (await coll.listIndexes().toArray()) as unknown as IndexInfo[];
  return new Map(list.map((i) => [i.name, i]));
}
