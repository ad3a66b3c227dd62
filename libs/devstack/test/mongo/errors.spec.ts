// Refusals: what the server does not support or does not accept must fail with MongoDB's
// error codes and shape, and leave the connection usable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Document } from 'mongodb';
import { openTarget, rejection, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('errors');
  await t.db.collection('things').insertMany([{ a: 1 }, { a: 2 }]);
});
after(async () => {
  await t.close();
});

describe('error codes', () => {
  it('an unknown command fails with CommandNotFound (59)', async () => {
    const err = await rejection(t.db.command({ foo: 1 }));
    assert.equal(err.code, 59);
    assert.equal(err.codeName, 'CommandNotFound');
    assert.match(String(err.message), /foo/);
    assert.equal((await t.db.command({ ping: 1 })).ok, 1, 'the connection still works');
  });

  it('an unknown top-level filter operator fails with BadValue (2)', async () => {
    const err = await rejection(t.db.collection('things').find({ $foo: 1 }).toArray());
    assert.equal(err.code, 2);
    assert.equal(err.codeName, 'BadValue');
  });

  it('an unknown field operator fails with BadValue (2)', async () => {
    const err = await rejection(t.db.collection('things').findOne({ a: { $foo: 1 } }));
    assert.equal(err.code, 2);
    assert.match(String(err.message), /\$foo/);
    await assert.rejects(t.db.collection('things').countDocuments({ a: { $foo: 1 } }), {
      code: 2,
    });
    await assert.rejects(t.db.collection('things').deleteMany({ a: { $foo: 1 } }), { code: 2 });
    assert.equal(await t.db.collection('things').countDocuments(), 2, 'nothing was deleted');
  });

  it('an unknown operator fails also on a collection that does not exist', async () => {
    const none = t.db.collection('does_not_exist');
    assert.equal((await rejection(none.find({ a: { $foo: 1 } }).toArray())).code, 2);
    await assert.rejects(none.countDocuments({ a: { $foo: 1 } }), { code: 2 });
    await assert.rejects(none.distinct('a', { a: { $foo: 1 } }), { code: 2 });
    await assert.rejects(none.deleteMany({ a: { $foo: 1 } }), { code: 2 });
    await assert.rejects(none.aggregate([{ $match: { a: { $foo: 1 } } }]).toArray(), { code: 2 });
  });

  it('an unknown update operator is refused and changes nothing', async () => {
    const c = t.db.collection('things');
    const err = await rejection(c.updateOne({ a: 1 }, { $frobnicate: { a: 5 } }));
    assert.equal(err.code, 9, 'FailedToParse: unknown modifier');
    assert.equal(await c.countDocuments({ a: 1 }), 1);
  });

  it('an unknown aggregation stage is refused with a clear error', async () => {
    const err = await rejection(
      t.db
        .collection('things')
        .aggregate([{ $frobnicate: {} }])
        .toArray(),
    );
    assert.equal(err.code, 40324, 'Unrecognized pipeline stage name');
  });

  it('a multi-document transaction is refused with IllegalOperation (20)', async () => {
    const hello = await t.db.admin().command({ hello: 1 });
    if (hello.setName !== undefined || hello.msg === 'isdbgrid') {
      // A replica set or mongos supports transactions; nothing to refuse there.
      return;
    }
    // Inside a transaction the driver re-wraps code 20 as "does not support retryable writes"
    // (whatever retryWrites says) and keeps the server's own error as originalError.
    const session = t.client.startSession();
    try {
      const err = await rejection(
        session.withTransaction(async () => {
          await t.db.collection('things').insertOne({ a: 3 }, { session });
        }),
      );
      const server = (err.originalError ?? err) as Record<string, unknown>;
      assert.equal(server.code, 20);
      assert.equal(server.codeName, 'IllegalOperation');
    } finally {
      await session.endSession();
    }
    assert.equal(await t.db.collection('things').countDocuments({ a: 3 }), 0);
  });

  it('write errors keep the connection usable for the next operation', async () => {
    const c = t.db.collection('things');
    await assert.rejects(c.updateOne({}, { $inc: { _id: 1 } }));
    await assert.rejects(t.db.command({ foo: 1 }));
    assert.equal(await c.countDocuments(), 2);
  });
});

describe('handshake and administrative commands', () => {
  it('hello describes a writable primary with MongoDB’s limits', async () => {
    const hello = await t.db.admin().command({ hello: 1 });
    assert.equal(hello.isWritablePrimary, true);
    assert.equal(hello.maxBsonObjectSize, 16 * 1024 * 1024);
    assert.equal(hello.maxMessageSizeBytes, 48_000_000);
    assert.equal(hello.maxWriteBatchSize, 100_000);
    assert.ok(Number(hello.maxWireVersion) >= 8, 'OP_MSG-era wire version');
  });

  it('lists, creates and drops collections and databases', async () => {
    const db = t.client.db(`${t.dbName}_extra`);
    await db.createCollection('made');
    await db.collection('implicit').insertOne({ x: 1 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    assert.deepEqual(names.sort(), ['implicit', 'made']);
    // MongoDB 7.0+ (wire version 21, which the devstack announces): creating an existing
    // collection with identical options succeeds; with different options it is NamespaceExists.
    await db.createCollection('made');
    await assert.rejects(db.createCollection('made', { capped: true, size: 4096 }), { code: 48 });
    assert.equal(await db.collection('made').drop(), true);
    assert.equal(await db.dropDatabase(), true);
    const dbs = (await t.client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
    assert.ok(!dbs.includes(`${t.dbName}_extra`));
  });

  it('a document just under 16 MiB is stored; one over it is refused', async () => {
    const c = t.db.collection('sized');
    const under = 'u'.repeat(16 * 1024 * 1024 - 1024);
    await c.insertOne({ _id: 'under', s: under } as Document);
    const back = await c.findOne({ _id: 'under' } as Document);
    assert.equal((back?.s as string).length, under.length);
    const over = 'o'.repeat(16 * 1024 * 1024 + 1);
    await assert.rejects(c.insertOne({ _id: 'over', s: over } as Document));
    assert.equal(await c.countDocuments({ _id: 'over' } as Document), 0);
  });

  it('keeps a client healthy across several heartbeats', async () => {
    // 500 ms is the driver's minimum; with topologyVersion the driver streams awaitable hellos.
    const client = await t.connect({ heartbeatFrequencyMS: 500 });
    const failures: string[] = [];
    let beats = 0;
    client.on('serverHeartbeatFailed', (e) => failures.push(String(e.failure)));
    client.on('serverHeartbeatSucceeded', () => beats++);
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline) {
      assert.equal((await client.db('admin').command({ ping: 1 })).ok, 1);
      await sleep(100);
    }
    assert.deepEqual(failures, []);
    assert.ok(beats >= 2, `heartbeats succeeded: ${beats}`);
  });

  it('accepts clients that offer compression', async () => {
    const client = await t.connect({ compressors: ['zlib'] });
    assert.equal((await client.db('admin').command({ ping: 1 })).ok, 1);
    const docs = await client.db(t.dbName).collection('things').find().toArray();
    assert.equal(docs.length, 2);
  });
});
