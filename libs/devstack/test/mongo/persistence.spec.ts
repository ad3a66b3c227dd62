// Devstack-only: with a data directory, documents and indexes survive stop() and a new start.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Decimal128, Int32, Long, MongoClient, type Document } from 'mongodb';
import { devstackOnly, indexesOf, startPersistentDevstack, tempDir } from './support.js';

describe('persistence across restarts', { skip: devstackOnly }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('devstack-mongo-');
  });
  after(async () => {
    await dir.remove();
  });

  const withServer = async <T>(fn: (client: MongoClient) => Promise<T>): Promise<T> => {
    const server = await startPersistentDevstack(dir.path);
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
      return await fn(client);
    } finally {
      await client.close();
      await server.stop();
    }
  };

  it('keeps documents, numeric types and indexes after stop() and restart', async () => {
    await withServer(async (client) => {
      const c = client.db('persist').collection('users');
      await c.createIndex({ email: 1 }, { unique: true });
      await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 3600 });
      await c.insertMany([
        { _id: 1, email: 'a@x.io', i: new Int32(1), l: Long.fromString('9007199254740993') },
        { _id: 2, email: 'b@x.io', dec: Decimal128.fromString('2.50') },
      ] as Document[]);
      await c.updateOne({ _id: 2 } as Document, { $set: { visits: 3 } });
      await c.deleteOne({ _id: 1 } as Document);
      await c.insertOne({ _id: 3, email: 'c@x.io' } as Document);
      await client
        .db('persist')
        .collection('other')
        .insertOne({ _id: 'o' } as Document);
    });

    await withServer(async (client) => {
      const db = client.db('persist');
      const c = db.collection('users');
      const docs = await c.find({}, { sort: { _id: 1 }, promoteValues: false }).toArray();
      assert.deepEqual(
        docs.map((d) => d._id as unknown),
        [new Int32(2), new Int32(3)],
        'the deleted document stayed deleted',
      );
      assert.equal((docs[0]?.dec as Decimal128).toString(), '2.50');
      assert.equal((docs[0]?.visits as Int32).value, 3);

      const byName = await indexesOf(c);
      assert.equal(byName.get('email_1')?.unique, true);
      assert.equal(byName.get('expiresAt_1')?.expireAfterSeconds, 3600);
      await assert.rejects(c.insertOne({ email: 'b@x.io' }), { code: 11000 });

      const collections = (await db.listCollections().toArray()).map((x) => x.name).sort();
      assert.deepEqual(collections, ['other', 'users']);
      await db.collection('users').insertOne({ _id: 4, email: 'd@x.io' } as Document);
    });

    await withServer(async (client) => {
      assert.equal(await client.db('persist').collection('users').countDocuments(), 3);
    });
  });

  it('drop() and dropDatabase() are persisted too', async () => {
    await withServer(async (client) => {
      await client.db('persist').collection('other').drop();
      await client.db('gone').collection('x').insertOne({ a: 1 });
      await client.db('gone').dropDatabase();
    });
    await withServer(async (client) => {
      const names = (await client.db('persist').listCollections().toArray()).map((x) => x.name);
      assert.deepEqual(names, ['users']);
      assert.equal(await client.db('gone').collection('x').countDocuments(), 0);
    });
  });

  it('keeps writes acknowledged before a kill -9 (after the journal flush interval)', async () => {
    const crashDir = await tempDir('devstack-mongo-crash-');
    try {
      // Run the server source or its compiled form, whichever this spec is.
      const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
      const child = fork(new URL(`./child-server${ext}`, import.meta.url), [crashDir.path], {
        execArgv: process.execArgv,
      });
      const [ready] = (await once(child, 'message')) as [{ uri: string }];
      const client = new MongoClient(ready.uri, { serverSelectionTimeoutMS: 5000 });
      await client.connect();
      const c = client.db('crash').collection('events');
      await c.createIndex({ seq: 1 }, { unique: true });
      await c.insertMany(Array.from({ length: 100 }, (_, seq) => ({ seq })));
      await c.updateOne({ seq: 7 }, { $set: { seen: true } });
      await client.close();
      // The journal promises to write within 100 ms; give it a comfortable margin.
      await sleep(500);
      child.kill('SIGKILL');
      await once(child, 'exit');

      const server = await startPersistentDevstack(crashDir.path);
      const again = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
      try {
        await again.connect();
        const events = again.db('crash').collection('events');
        assert.equal(await events.countDocuments(), 100);
        assert.equal((await events.findOne({ seq: 7 }))?.seen, true);
        await assert.rejects(events.insertOne({ seq: 1 }), { code: 11000 }, 'index survived');
      } finally {
        await again.close();
        await server.stop();
      }
    } finally {
      await crashDir.remove();
    }
  });

  it('reset() empties the server', async () => {
    const server = await startPersistentDevstack(dir.path);
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
      assert.ok((await client.db('persist').collection('users').countDocuments()) > 0);
      await server.reset();
      assert.equal(await client.db('persist').collection('users').countDocuments(), 0);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
