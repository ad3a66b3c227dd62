// Comparison across BSON types, from MongoDB's "Comparison/Sort Order" page and the query
// operator reference: sort and $min/$max use the type order (MinKey, null, numbers,
// strings, objects, arrays, BinData, ObjectId, booleans, dates, timestamps, regexes, MaxKey),
// while $gt/$gte/$lt/$lte only match values of the operand's type bracket; BinData orders by
// length, then subtype, then bytes; $all and the $bits* operators as documented.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Binary, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'mongodb';
import { openTarget, type Doc, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('typeorder');
});
after(async () => {
  await t.close();
});

const bin = (bytes: number[], subtype = 0): Binary => new Binary(Buffer.from(bytes), subtype);

// One value of every type in the documented order (arrays left out: an array sorts by its
// smallest or largest element, not as an array).
const ORDERED: [string, unknown][] = [
  ['minKey', new MinKey()],
  ['null', null],
  ['number', 5],
  ['string', 'abc'],
  ['object', { a: 1 }],
  ['binData', bin([1, 2])],
  ['objectId', new ObjectId('65f000000000000000000001')],
  ['bool', false],
  ['date', new Date('2026-01-01T00:00:00Z')],
  ['timestamp', new Timestamp({ t: 1, i: 1 })],
  ['regex', /x/],
  ['maxKey', new MaxKey()],
];

describe('sort order across BSON types', () => {
  it('sorts ascending and descending in the documented type order', async () => {
    const c = t.db.collection<Doc>('sort');
    // Inserted in reverse so that natural order proves nothing.
    await c.insertMany(ORDERED.map(([name, v]) => ({ _id: name, v })).reverse());
    const up = await c.find({}, { sort: { v: 1 } }).toArray();
    assert.deepEqual(
      up.map((d) => d._id),
      ORDERED.map(([name]) => name),
    );
    const down = await c.find({}, { sort: { v: -1 } }).toArray();
    assert.deepEqual(
      down.map((d) => d._id),
      ORDERED.map(([name]) => name).reverse(),
    );
  });

  it('sorts BinData by length, then subtype, then bytes', async () => {
    const c = t.db.collection<Doc>('binsort');
    await c.insertMany([
      { _id: 'long-low-bytes', v: bin([0, 0, 0]) },
      { _id: 'short-user-subtype', v: bin([0, 0], 0x80) },
      { _id: 'short-high-bytes', v: bin([255, 255]) },
      { _id: 'short-low-bytes', v: bin([0, 1]) },
      { _id: 'one-byte', v: bin([255]) },
    ]);
    const docs = await c.find({}, { sort: { v: 1 } }).toArray();
    assert.deepEqual(
      docs.map((d) => d._id),
      ['one-byte', 'short-low-bytes', 'short-high-bytes', 'short-user-subtype', 'long-low-bytes'],
    );
  });
});

describe('query comparison operators stay within one type bracket', () => {
  before(async () => {
    await t.db
      .collection<Doc>('brackets')
      .insertMany(ORDERED.map(([name, v]) => ({ _id: name, v })));
  });
  const ids = async (filter: Doc): Promise<unknown[]> =>
    (
      await t.db
        .collection<Doc>('brackets')
        .find(filter, { sort: { _id: 1 } })
        .toArray()
    ).map((d) => d._id);

  it('$gt / $lt on a number only match numbers', async () => {
    assert.deepEqual(await ids({ v: { $gt: 1 } }), ['number']);
    assert.deepEqual(await ids({ v: { $lt: 100 } }), ['number']);
    assert.deepEqual(await ids({ v: { $gte: 5, $lte: 5 } }), ['number']);
  });

  it('$gt / $lt on a string, a date or an ObjectId only match that type', async () => {
    assert.deepEqual(await ids({ v: { $gt: '' } }), ['string']);
    assert.deepEqual(await ids({ v: { $lt: 'zzz' } }), ['string']);
    assert.deepEqual(await ids({ v: { $gt: new Date(0) } }), ['date']);
    assert.deepEqual(await ids({ v: { $gt: new ObjectId('000000000000000000000000') } }), [
      'objectId',
    ]);
    assert.deepEqual(await ids({ v: { $lt: true } }), ['bool']);
  });

  it('$ne and $nin match the values of every other type, and missing fields', async () => {
    const c = t.db.collection<Doc>('brackets');
    assert.equal(await c.countDocuments({ v: { $ne: 5 } }), ORDERED.length - 1);
    assert.equal(await c.countDocuments({ v: { $nin: [5, 'abc'] } }), ORDERED.length - 2);
    assert.equal(await c.countDocuments({ missing: { $ne: 5 } }), ORDERED.length);
  });

  it('compares numbers of different BSON types by value', async () => {
    const c = t.db.collection<Doc>('mixednum');
    await c.insertMany([
      { _id: 1, v: 2 },
      { _id: 2, v: Long.fromString('9007199254740993') },
      { _id: 3, v: 2.5 },
    ]);
    const found = await c.find({ v: { $gt: 2 } }, { sort: { _id: 1 } }).toArray();
    assert.deepEqual(
      found.map((d) => d._id),
      [2, 3],
    );
    assert.equal(await c.countDocuments({ v: { $gt: Long.fromString('9007199254740992') } }), 1);
  });
});

describe('BinData in queries', () => {
  before(async () => {
    await t.db.collection<Doc>('bin').insertMany([
      { _id: 1, v: bin([255]) },
      { _id: 2, v: bin([0, 0]) },
      { _id: 3, v: bin([0, 0], 0x80) },
      { _id: 4, v: 'not binary' },
    ]);
  });
  const ids = async (filter: Doc): Promise<unknown[]> =>
    (
      await t.db
        .collection<Doc>('bin')
        .find(filter, { sort: { _id: 1 } })
        .toArray()
    ).map((d) => d._id);

  it('a longer BinData is greater whatever its bytes', async () => {
    assert.deepEqual(await ids({ v: { $gt: bin([255]) } }), [2, 3]);
    assert.deepEqual(await ids({ v: { $lt: bin([0, 0]) } }), [1]);
  });

  it('at equal length the subtype decides before the bytes', async () => {
    assert.deepEqual(await ids({ v: { $gt: bin([255, 255]) } }), [3]);
    assert.deepEqual(await ids({ v: { $gte: bin([0, 0], 0x80) } }), [3]);
  });

  it('equality needs the same subtype and bytes', async () => {
    assert.deepEqual(await ids({ v: bin([0, 0]) }), [2]);
    assert.deepEqual(await ids({ v: { $in: [bin([0, 0], 0x80), bin([9])] } }), [3]);
  });
});

describe('$all', () => {
  before(async () => {
    await t.db.collection<Doc>('all').insertMany([
      { _id: 1, tags: ['ssl', 'security'], qty: { num: 50 } },
      { _id: 2, tags: 'ssl', qty: { num: 50 } },
      { _id: 3, tags: [['ssl', 'security']], qty: { num: 10 } },
    ]);
  });
  const ids = async (filter: Doc): Promise<unknown[]> =>
    (
      await t.db
        .collection<Doc>('all')
        .find(filter, { sort: { _id: 1 } })
        .toArray()
    ).map((d) => d._id);

  it('matches a field holding a single value equal to the one element', async () => {
    assert.deepEqual(await ids({ 'qty.num': { $all: [50] } }), [1, 2]);
    assert.deepEqual(await ids({ tags: { $all: ['ssl'] } }), [1, 2]);
  });

  it('is the $and of equalities: every element must be present', async () => {
    assert.deepEqual(await ids({ tags: { $all: ['ssl', 'security'] } }), [1]);
    // A nested array element is matched as a whole too.
    assert.deepEqual(await ids({ tags: { $all: [['ssl', 'security']] } }), [1, 3]);
  });

  it('matches nothing with an empty array', async () => {
    assert.deepEqual(await ids({ tags: { $all: [] } }), []);
  });
});

describe('bitwise query operators', () => {
  // The collection of the $bitsAllSet reference page.
  before(async () => {
    await t.db.collection<Doc>('bits').insertMany([
      { _id: 1, a: 54 }, // 00110110
      { _id: 2, a: 20 }, // 00010100
      { _id: 3, a: 20.0 },
      { _id: 4, a: new Binary(Buffer.from('Zg==', 'base64'), 0) }, // 01100110
    ]);
  });
  const ids = async (filter: Doc): Promise<unknown[]> =>
    (
      await t.db
        .collection<Doc>('bits')
        .find(filter, { sort: { _id: 1 } })
        .toArray()
    ).map((d) => d._id);

  it('tests bit positions of numbers and of BinData alike', async () => {
    assert.deepEqual(await ids({ a: { $bitsAllSet: [1, 5] } }), [1, 4]);
    assert.deepEqual(await ids({ a: { $bitsAnySet: [1, 5] } }), [1, 4]);
    assert.deepEqual(await ids({ a: { $bitsAllClear: [1, 5] } }), [2, 3]);
    assert.deepEqual(await ids({ a: { $bitsAnyClear: [1, 5] } }), [2, 3]);
  });

  it('takes a numeric bitmask or a BinData bitmask', async () => {
    assert.deepEqual(await ids({ a: { $bitsAllSet: 50 } }), [1]);
    assert.deepEqual(
      await ids({ a: { $bitsAllSet: new Binary(Buffer.from('MC==', 'base64'), 0) } }),
      [1],
    );
    assert.deepEqual(await ids({ a: { $bitsAnySet: 35 } }), [1, 4]);
  });

  it('reaches bits above 31 of a 64-bit value', async () => {
    const c = t.db.collection<Doc>('bits64');
    await c.insertMany([
      { _id: 1, a: Long.fromNumber(2 ** 40) },
      { _id: 2, a: 1 },
    ]);
    const found = await c.find({ a: { $bitsAllSet: [40] } }).toArray();
    assert.deepEqual(
      found.map((d) => d._id),
      [1],
    );
  });
});

describe('$min and $max compare in the BSON type order', () => {
  it('a string is greater than any number, null smaller than any number', async () => {
    const c = t.db.collection<Doc>('minmax');
    await c.insertOne({ _id: 1, hi: 5, lo: 5 });
    await c.updateOne({ _id: 1 }, { $max: { hi: 'a' }, $min: { lo: null } });
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, hi: 'a', lo: null });
  });
});
