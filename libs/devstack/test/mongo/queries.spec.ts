// Query semantics the product leans on: null vs missing, dates, arrays, nested paths, ObjectId
// order, bulk writes and concurrent upserts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Double, Long, ObjectId, type Filter } from 'mongodb';
import { openTarget, type Doc, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('queries');
  await t.db.collection<Doc>('q').insertMany([
    { _id: 1, deletedAt: null, tags: ['a', 'b'], at: new Date('2026-01-01'), n: { x: 1 } },
    { _id: 2, tags: ['b'], at: new Date('2026-02-01'), n: { x: 2 } },
    { _id: 3, deletedAt: new Date('2026-03-01'), tags: [], at: new Date('2026-03-01') },
    {
      _id: 4,
      tags: 'a',
      items: [
        { k: 'p', q: 1 },
        { k: 'r', q: 5 },
      ],
    },
  ]);
});
after(async () => {
  await t.close();
});

const ids = async (filter: Doc, sort: Doc = { _id: 1 }): Promise<unknown[]> =>
  (await t.db.collection<Doc>('q').find(filter, { sort }).toArray()).map((d) => d._id);

describe('null, missing and existence', () => {
  it('{ f: null } matches both null and missing; $exists tells them apart', async () => {
    assert.deepEqual(await ids({ deletedAt: null }), [1, 2, 4]);
    assert.deepEqual(await ids({ deletedAt: { $exists: false } }), [2, 4]);
    assert.deepEqual(await ids({ deletedAt: { $exists: true } }), [1, 3]);
    assert.deepEqual(await ids({ deletedAt: { $ne: null } }), [3]);
    assert.deepEqual(await ids({ deletedAt: { $type: 'null' } }), [1]);
  });
});

describe('dates', () => {
  it('compares and sorts dates; a date never equals a string or number', async () => {
    assert.deepEqual(await ids({ at: { $lt: new Date('2026-02-15') } }), [1, 2]);
    assert.deepEqual(await ids({ at: { $gte: new Date('2026-02-01') } }, { at: -1 }), [3, 2]);
    assert.deepEqual(await ids({ at: { $lt: '2027' } }), [], 'no cross-type comparison');
    assert.deepEqual(await ids({ at: { $gt: 0 } }), []);
  });
});

describe('arrays and nested paths', () => {
  it('matches array elements, $all, $size, $elemMatch and $nin', async () => {
    assert.deepEqual(await ids({ tags: 'a' }), [1, 4], 'scalar or element match');
    assert.deepEqual(await ids({ tags: { $all: ['a', 'b'] } }), [1]);
    assert.deepEqual(await ids({ tags: { $size: 0 } }), [3]);
    assert.deepEqual(await ids({ tags: ['b'] }), [2], 'whole-array equality');
    assert.deepEqual(await ids({ items: { $elemMatch: { k: 'r', q: { $gt: 2 } } } }), [4]);
    assert.deepEqual(await ids({ 'items.k': 'p' }), [4]);
    assert.deepEqual(await ids({ tags: { $nin: ['a'] } }), [2, 3]);
  });

  it('queries and projects dotted paths into sub-documents', async () => {
    assert.deepEqual(await ids({ 'n.x': { $gte: 2 } }), [2]);
    const doc = await t.db.collection<Doc>('q').findOne({ _id: 1 }, { projection: { 'n.x': 1 } });
    assert.deepEqual(doc, { _id: 1, n: { x: 1 } });
    const excl = await t.db
      .collection<Doc>('q')
      .findOne({ _id: 2 }, { projection: { tags: 0, n: 0, at: 0 } });
    assert.deepEqual(excl, { _id: 2 });
  });

  it('matches with $regex and case-insensitive options', async () => {
    const c = t.db.collection('names');
    await c.insertMany([{ s: 'Report.PDF' }, { s: 'photo.jpg' }, { s: 'notes.txt' }]);
    const found = await c.find({ s: { $regex: '\\.pdf$', $options: 'i' } }).toArray();
    assert.deepEqual(
      found.map((d) => d.s as string),
      ['Report.PDF'],
    );
    assert.equal(await c.countDocuments({ s: /^photo/ }), 1);
  });
});

describe('filters answered through _id and indexes', () => {
  it('$in on an indexed field and on _id keeps MongoDB equality: numbers by value, null, regex, arrays', async () => {
    const c = t.db.collection<Doc>('indexed');
    await c.createIndex({ v: 1 });
    await c.insertMany([
      { _id: 1, v: 1 },
      { _id: 2, v: new Double(1) },
      { _id: 3, v: Long.fromNumber(1) },
      { _id: 4, v: '1' },
      { _id: 5, v: null },
      { _id: 6 },
      { _id: 7, v: [2, 'xy'] },
      { _id: 8, v: [[1]] },
    ]);
    const found = async (filter: Filter<Doc>): Promise<unknown[]> =>
      (await c.find(filter, { sort: { _id: 1 } }).toArray()).map((d) => d._id);
    assert.deepEqual(await found({ v: { $in: [Long.fromNumber(1)] } }), [1, 2, 3]);
    assert.deepEqual(await found({ v: { $in: [new Double(2)] } }), [7], 'an element matches');
    assert.deepEqual(await found({ v: { $in: [null] } }), [5, 6], 'null finds missing too');
    assert.deepEqual(await found({ v: { $in: [/^x/, '1'] } }), [4, 7]);
    assert.deepEqual(await found({ v: { $in: [] } }), []);
    assert.deepEqual(await found({ _id: { $in: [3, 1, 99] }, v: { $in: [1, '1'] } }), [1, 3]);
    assert.deepEqual(await found({ _id: { $in: [4, 5] }, v: { $nin: [null] } }), [4]);
  });

  it('an _id equality inside $and still applies the rest of the filter', async () => {
    const c = t.db.collection<Doc>('and_id');
    await c.insertMany([
      { _id: 1, a: 1 },
      { _id: 2, a: 2 },
    ]);
    assert.equal(await c.countDocuments({ $and: [{ _id: 1 }, { a: 2 }] }), 0);
    assert.equal((await c.find({ $and: [{ _id: 1 }, { a: 2 }] }).toArray()).length, 0);
    assert.equal((await c.deleteMany({ $and: [{ _id: 1 }, { a: 2 }] })).deletedCount, 0);
    assert.equal(await c.countDocuments({ $and: [{ _id: 2 }, { a: 2 }] }), 1);
  });

  it('$exists never looks into an array nested in an array, whichever way the filter is written', async () => {
    const c = t.db.collection<Doc>('nested');
    await c.insertMany([
      { _id: 1, n: [[1]] },
      { _id: 2, n: [{ b: 1 }] },
    ]);
    for (const filter of [{ 'n.b': { $exists: true } }, { $or: [{ 'n.b': { $exists: true } }] }]) {
      const got = (await c.find(filter, { sort: { _id: 1 } }).toArray()).map((d) => d._id);
      assert.deepEqual(got, [2], JSON.stringify(filter));
    }
  });
});

describe('ObjectId order', () => {
  it('sorts ObjectIds by creation time and supports range queries on _id', async () => {
    const c = t.db.collection('oids');
    const made = [0, 1, 2].map((s) => ObjectId.createFromTime(1_700_000_000 + s));
    await c.insertMany([{ _id: made[2] }, { _id: made[0] }, { _id: made[1] }]);
    const sorted = (await c.find({}, { sort: { _id: 1 } }).toArray()).map((d) =>
      d._id.toHexString(),
    );
    assert.deepEqual(
      sorted,
      made.map((o) => o.toHexString()),
    );
    assert.equal(await c.countDocuments({ _id: { $gt: made[0] } }), 2);
  });
});

describe('bulk and concurrent writes', () => {
  it('bulkWrite applies mixed operations and reports each count', async () => {
    const c = t.db.collection<Doc>('bulk');
    await c.insertMany([
      { _id: 1, v: 1 },
      { _id: 2, v: 2 },
      { _id: 3, v: 3 },
    ]);
    const res = await c.bulkWrite([
      { insertOne: { document: { _id: 4, v: 4 } } },
      { updateOne: { filter: { _id: 1 }, update: { $set: { v: 10 } } } },
      { updateMany: { filter: { v: { $gte: 3 } }, update: { $inc: { v: 100 } } } },
      { replaceOne: { filter: { _id: 9 }, replacement: { v: 9 }, upsert: true } },
      { deleteOne: { filter: { _id: 2 } } },
      { deleteMany: { filter: { v: { $gt: 105 } } } }, // _id 1 reached 110 above
    ]);
    assert.equal(res.insertedCount, 1);
    assert.equal(res.matchedCount, 4);
    assert.equal(res.modifiedCount, 4);
    assert.equal(res.upsertedCount, 1);
    assert.equal(res.deletedCount, 2);
    const all = await c.find({}, { sort: { _id: 1 } }).toArray();
    assert.deepEqual(all, [
      { _id: 3, v: 103 },
      { _id: 4, v: 104 },
      { _id: 9, v: 9 },
    ]);
  });

  it('concurrent upserts on a unique key make one document', async () => {
    const c = t.db.collection('racing');
    await c.createIndex({ key: 1 }, { unique: true });
    const clients = await Promise.all([1, 2, 3, 4].map(() => t.connect()));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        clients[i % clients.length]
          ?.db(t.dbName)
          .collection('racing')
          .updateOne({ key: 'k' }, { $inc: { n: 1 } }, { upsert: true }),
      ),
    );
    const docs = await c.find({}, { projection: { _id: 0 } }).toArray();
    assert.deepEqual(docs, [{ key: 'k', n: 20 }]);
  });
});
