// CRUD, counting, cursors and aggregation through the official driver and Mongoose.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Long, ObjectId, type CommandStartedEvent, type Document } from 'mongodb';
import { Schema } from 'mongoose';
import { openTarget, type Doc, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('crud');
});
after(async () => {
  await t.close();
});

describe('basic CRUD with the driver', () => {
  it('inserts, finds, updates, replaces and deletes documents', async () => {
    const c = t.db.collection('people');
    const ins = await c.insertOne({ name: 'ada', age: 36 });
    assert.ok(ins.insertedId instanceof ObjectId, 'the driver generates an ObjectId _id');
    const many = await c.insertMany([
      { name: 'bob', age: 20 },
      { name: 'cy', age: 50 },
    ]);
    assert.equal(many.insertedCount, 2);

    const ada = await c.findOne({ _id: ins.insertedId });
    assert.deepEqual(ada, { _id: ins.insertedId, name: 'ada', age: 36 });

    const up = await c.updateOne({ name: 'bob' }, { $set: { age: 21 } });
    assert.equal(up.matchedCount, 1);
    assert.equal(up.modifiedCount, 1);
    const noop = await c.updateOne({ name: 'bob' }, { $set: { age: 21 } });
    assert.equal(noop.matchedCount, 1);
    assert.equal(noop.modifiedCount, 0, 'setting the same value modifies nothing');
    const none = await c.updateMany({ name: 'nobody' }, { $set: { age: 1 } });
    assert.equal(none.matchedCount, 0);

    const rep = await c.replaceOne({ name: 'cy' }, { name: 'cy', retired: true });
    assert.equal(rep.modifiedCount, 1);
    const cy = await c.findOne({ name: 'cy' }, { projection: { _id: 0 } });
    assert.deepEqual(cy, { name: 'cy', retired: true }, 'replace drops the fields not given');

    const del = await c.deleteOne({ name: 'ada' });
    assert.equal(del.deletedCount, 1);
    assert.equal(await c.findOne({ name: 'ada' }), null);
    const delMany = await c.deleteMany({});
    assert.equal(delMany.deletedCount, 2);
  });

  it('applies filter, projection, sort, skip and limit', async () => {
    const c = t.db.collection<Doc>('query');
    await c.insertMany(
      Array.from({ length: 20 }, (_, i) => ({ _id: i, n: i, even: i % 2 === 0, tag: `t${i % 3}` })),
    );
    const docs = await c
      .find({ even: true, n: { $gte: 4 } }, { projection: { n: 1, _id: 0 } })
      .sort({ n: -1 })
      .skip(1)
      .limit(3)
      .toArray();
    assert.deepEqual(docs, [{ n: 16 }, { n: 14 }, { n: 12 }]);

    const inList = await c.find({ tag: { $in: ['t1'] }, n: { $lt: 8 } }).toArray();
    assert.deepEqual(
      inList.map((d) => d.n as number),
      [1, 4, 7],
    );
    const ors = await c.find({ $or: [{ n: 0 }, { n: 19 }] }, { sort: { n: 1 } }).toArray();
    assert.deepEqual(
      ors.map((d) => d.n as number),
      [0, 19],
    );
    assert.deepEqual((await c.distinct('tag')).sort(), ['t0', 't1', 't2']);
  });

  it('sorts on several keys in mixed directions and matches a long $in list', async () => {
    const c = t.db.collection<Doc>('multisort');
    await c.insertMany(
      Array.from({ length: 12 }, (_, i) => ({ _id: i, group: i % 3, rank: i % 4 })),
    );
    const rows = await c.find({}, { sort: { group: 1, rank: -1, _id: 1 } }).toArray();
    assert.deepEqual(
      rows.map((r) => r._id),
      [3, 6, 9, 0, 7, 10, 1, 4, 11, 2, 5, 8],
    );
    const wanted = Array.from({ length: 2000 }, (_, i) => i * 2); // reconciliation-sized lists
    assert.equal(await c.countDocuments({ _id: { $in: wanted } }), 6);
  });

  it('findOneAndUpdate returns the document before or after the change', async () => {
    const c = t.db.collection('fam');
    await c.insertOne({ _id: 'k', v: 1 } as Document);
    const before = await c.findOneAndUpdate({ _id: 'k' } as Document, { $set: { v: 2 } });
    assert.deepEqual(before, { _id: 'k', v: 1 });
    const afterDoc = await c.findOneAndUpdate(
      { _id: 'k' } as Document,
      { $set: { v: 3 } },
      { returnDocument: 'after', projection: { v: 1, _id: 0 } },
    );
    assert.deepEqual(afterDoc, { v: 3 });
    const missing = await c.findOneAndUpdate({ _id: 'nope' } as Document, { $set: { v: 1 } });
    assert.equal(missing, null);
    const deleted = await c.findOneAndDelete({ _id: 'k' } as Document);
    assert.deepEqual(deleted, { _id: 'k', v: 3 });
    assert.equal(await c.countDocuments(), 0);
  });

  it('rejects a second document with the same _id', async () => {
    const c = t.db.collection('dupid');
    await c.insertOne({ _id: 1 } as Document);
    await assert.rejects(c.insertOne({ _id: 1 } as Document), { code: 11000 });
    assert.equal(await c.countDocuments(), 1);
  });
});

describe('large documents', () => {
  it('round-trips documents of several MB whose total exceeds 16 MiB', async () => {
    const c = t.db.collection<Doc>('large');
    const mb6 = 6 * 1024 * 1024;
    await c.insertMany(['a', 'b', 'c'].map((ch, i) => ({ _id: i, s: ch.repeat(mb6) })));
    const docs = await c.find({}, { sort: { _id: 1 } }).toArray();
    assert.deepEqual(
      docs.map((d) => [d._id, (d.s as string).length, (d.s as string)[0]]),
      [
        [0, mb6, 'a'],
        [1, mb6, 'b'],
        [2, mb6, 'c'],
      ],
    );
    await c.drop();
  });
});

describe('counting', () => {
  it('countDocuments honours filter, skip and limit; estimatedDocumentCount counts all', async () => {
    const c = t.db.collection('counted');
    assert.equal(await c.estimatedDocumentCount(), 0, 'a missing collection counts 0');
    assert.equal(await c.countDocuments({}), 0);
    await c.insertMany(Array.from({ length: 30 }, (_, i) => ({ i, big: i >= 10 })));
    assert.equal(await c.countDocuments(), 30);
    assert.equal(await c.countDocuments({ big: true }), 20);
    assert.equal(await c.countDocuments({ big: true }, { skip: 5, limit: 10 }), 10);
    assert.equal(await c.countDocuments({ big: true }, { skip: 15 }), 5);
    assert.equal(await c.estimatedDocumentCount(), 30);
  });
});

describe('cursors', () => {
  it('returns 250 documents once each, in order, in batches of 7', async () => {
    const client = await t.connect({ monitorCommands: true });
    const batches: number[] = [];
    client.on('commandSucceeded', (e) => {
      const cursor = (e.reply as Document).cursor as Document | undefined;
      const batch = (cursor?.firstBatch ?? cursor?.nextBatch) as unknown[] | undefined;
      if (batch !== undefined) batches.push(batch.length);
    });
    const getMores: CommandStartedEvent[] = [];
    client.on('commandStarted', (e) => {
      if (e.commandName === 'getMore') getMores.push(e);
    });

    const c = client.db(t.dbName).collection<Doc>('batched');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i, i })));
    batches.length = 0;

    const seen: number[] = [];
    for await (const doc of c.find({}, { batchSize: 7, sort: { i: 1 } }))
      seen.push(doc.i as number);
    assert.deepEqual(
      seen,
      Array.from({ length: 250 }, (_, i) => i),
    );
    assert.ok(
      batches.every((n) => n <= 7),
      `every batch holds at most 7 documents: ${batches.join(',')}`,
    );
    assert.ok(getMores.length >= 35, `the cursor was fetched with getMore (${getMores.length})`);
  });

  it('closes an unfinished cursor and keeps serving other queries', async () => {
    const c = t.db.collection('batched');
    const cursor = c.find({}, { batchSize: 5, sort: { i: 1 } });
    const first = await cursor.next();
    assert.equal(first?.i, 0);
    await cursor.close();
    assert.equal(await c.countDocuments(), 250);
  });

  it('a closed cursor is gone on the server: getMore on its id is CursorNotFound (43)', async () => {
    const client = await t.connect({ monitorCommands: true });
    let cursorId: Long | undefined;
    client.on('commandSucceeded', (e) => {
      // Small ids come back promoted to numbers; getMore needs an int64 again.
      const id = ((e.reply as Document).cursor as { id?: unknown } | undefined)?.id;
      if (e.commandName !== 'find' || id === undefined) return;
      if (id instanceof Long) cursorId = id;
      else if (typeof id === 'number') cursorId = Long.fromNumber(id);
      else if (typeof id === 'bigint') cursorId = Long.fromBigInt(id);
    });
    const c = client.db(t.dbName).collection('batched');
    const cursor = c.find({}, { batchSize: 3 });
    await cursor.next();
    assert.ok(cursorId !== undefined && !cursorId.isZero(), 'the server kept a cursor open');
    await cursor.close();
    await assert.rejects(t.db.command({ getMore: cursorId, collection: 'batched' }), {
      code: 43,
    });
  });

  it('reports an unknown cursor id as CursorNotFound (43)', async () => {
    const res = t.db.command({ getMore: Long.fromString('987654321987'), collection: 'batched' });
    await assert.rejects(res, { code: 43 });
  });
});

describe('aggregation', () => {
  it('groups, sums and sorts with $match/$group/$sort', async () => {
    const c = t.db.collection('orders');
    await c.insertMany([
      { cust: 'a', total: 10, status: 'paid' },
      { cust: 'b', total: 5, status: 'paid' },
      { cust: 'a', total: 7, status: 'paid' },
      { cust: 'c', total: 100, status: 'void' },
      { cust: 'b', total: 1, status: 'paid' },
    ]);
    const rows = await c
      .aggregate([
        { $match: { status: 'paid' } },
        { $group: { _id: '$cust', sum: { $sum: '$total' }, n: { $sum: 1 } } },
        { $sort: { sum: -1 } },
      ])
      .toArray();
    assert.deepEqual(rows, [
      { _id: 'a', sum: 17, n: 2 },
      { _id: 'b', sum: 6, n: 2 },
    ]);
  });

  it('unwinds, counts, skips and limits', async () => {
    const c = t.db.collection('carts');
    await c.insertMany([
      { user: 'a', items: ['x', 'y'] },
      { user: 'b', items: ['y'] },
      { user: 'c', items: [] },
    ]);
    const perItem = await c
      .aggregate([
        { $unwind: '$items' },
        { $group: { _id: '$items', users: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    assert.deepEqual(perItem, [
      { _id: 'x', users: 1 },
      { _id: 'y', users: 2 },
    ]);
    const [counted] = await c.aggregate([{ $unwind: '$items' }, { $count: 'n' }]).toArray();
    assert.deepEqual(counted, { n: 3 });
    const page = await c
      .aggregate([
        { $sort: { user: 1 } },
        { $skip: 1 },
        { $limit: 1 },
        { $project: { _id: 0, user: 1 } },
      ])
      .toArray();
    assert.deepEqual(page, [{ user: 'b' }]);
  });

  it('streams a large aggregation result through getMore', async () => {
    const c = t.db.collection('batched');
    const out = await c
      .aggregate([{ $match: { i: { $gte: 100 } } }, { $sort: { i: -1 } }], { batchSize: 10 })
      .toArray();
    assert.equal(out.length, 150);
    assert.equal(out[0]?.i, 249);
    assert.equal(out[149]?.i, 100);
  });
});

describe('CRUD with Mongoose', () => {
  it('creates, reads with lean(), updates and deletes', async () => {
    const conn = await t.mongoose();
    const User = conn.model(
      'User',
      new Schema({ email: { type: String, required: true }, visits: { type: Number, default: 0 } }),
    );
    const u = await User.create({ email: 'a@example.com' });
    const found = await User.findById(u._id).lean();
    assert.equal(found?.email, 'a@example.com');
    assert.equal(found?.visits, 0);
    assert.ok(found?._id instanceof ObjectId);

    const res = await User.updateOne({ _id: u._id }, { $inc: { visits: 2 } });
    assert.equal(res.modifiedCount, 1);
    const after2 = await User.findOneAndUpdate(
      { email: 'a@example.com' },
      { $inc: { visits: 1 } },
      { returnDocument: 'after' },
    ).lean();
    assert.equal(after2?.visits, 3);
    assert.equal(await User.countDocuments({ visits: { $gt: 2 } }), 1);
    await User.deleteOne({ _id: u._id });
    assert.equal(await User.findById(u._id).lean(), null);
  });
});
