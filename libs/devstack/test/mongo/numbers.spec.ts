// Number-type fidelity: int32, int64, double and decimal128 are distinct BSON types that must
// survive a round trip unchanged, compare by numeric value across types, and combine in $inc
// the way MongoDB documents (int + int = int, overflow widens to long, any double makes a double).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { Schema } from 'mongoose';
import { openTarget, type Doc, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('numbers');
});
after(async () => {
  await t.close();
});

const BIG = '9007199254740993'; // 2^53 + 1: not representable as a JS number

const typeCounts = async (coll: string, fields: Record<string, string>): Promise<Document> => {
  const c = t.db.collection(coll);
  const out: Document = {};
  for (const [field, type] of Object.entries(fields)) {
    out[field] = await c.countDocuments({ [field]: { $type: type } });
  }
  return out;
};

describe('round trips through the raw driver', () => {
  it('stores each numeric type as itself ($type) and returns it unchanged', async () => {
    const c = t.db.collection('raw');
    await c.insertOne({
      _id: 1,
      i: new Int32(7),
      l: Long.fromString(BIG),
      smallLong: Long.fromNumber(3),
      d: new Double(5), // integral double: must not come back as an int32
      neg: new Double(-0.25),
      dec: Decimal128.fromString('1.10'), // trailing zero is significant in decimal128
    } as Document);
    assert.deepEqual(
      await typeCounts('raw', {
        i: 'int',
        l: 'long',
        smallLong: 'long',
        d: 'double',
        neg: 'double',
        dec: 'decimal',
      }),
      { i: 1, l: 1, smallLong: 1, d: 1, neg: 1, dec: 1 },
    );

    const raw = await c.findOne({ _id: 1 } as Document, { promoteValues: false });
    assert.ok(raw?.i instanceof Int32 && raw.i.value === 7, 'Int32 stays Int32');
    assert.ok(raw?.l instanceof Long && raw.l.toString() === BIG, 'Long keeps all 64 bits');
    assert.ok(raw?.smallLong instanceof Long && raw.smallLong.toNumber() === 3);
    assert.ok(raw?.d instanceof Double && raw.d.value === 5, 'Double(5) stays a double');
    assert.ok(raw?.neg instanceof Double && raw.neg.value === -0.25);
    assert.ok(raw?.dec instanceof Decimal128 && raw.dec.toString() === '1.10');

    // Default promotion: small longs become numbers, an unsafe long stays a Long.
    const promoted = await c.findOne({ _id: 1 } as Document);
    assert.equal(promoted?.i, 7);
    assert.equal(promoted?.smallLong, 3);
    assert.ok(promoted?.l instanceof Long && promoted.l.toString() === BIG);
    const noLongs = await c.findOne({ _id: 1 } as Document, { promoteLongs: false });
    assert.ok(noLongs?.smallLong instanceof Long);
    const bigints = await c.findOne({ _id: 1 } as Document, { useBigInt64: true });
    assert.equal(bigints?.l, BigInt(BIG));
  });

  it('keeps types through updates, findOneAndUpdate and aggregation', async () => {
    const c = t.db.collection('raw');
    await c.updateOne({ _id: 1 } as Document, { $set: { d2: new Double(2), i2: new Int32(2) } });
    const doc = await c.findOneAndUpdate(
      { _id: 1 } as Document,
      { $set: { touched: true } },
      { returnDocument: 'after', promoteValues: false },
    );
    assert.ok(doc?.d2 instanceof Double, '$set of Double(2) stays a double');
    assert.ok(doc.i2 instanceof Int32, '$set of Int32(2) stays an int32');
    assert.ok(doc.l instanceof Long && doc.l.toString() === BIG);
    const [agg] = await c
      .aggregate([{ $match: { _id: 1 } }, { $project: { l: 1, dec: 1, d: 1 } }], {
        promoteValues: false,
      })
      .toArray();
    assert.ok(agg?.l instanceof Long && agg.l.toString() === BIG, '$project keeps a Long');
    assert.ok(agg.d instanceof Double, `$project keeps Double(5) a double, got ${String(agg.d)}`);
    assert.ok(agg.dec instanceof Decimal128, '$project keeps a Decimal128');
  });
});

describe('round trips through Mongoose lean()', () => {
  it('writes schema-typed numbers as their BSON types and reads them back', async () => {
    const conn = await t.mongoose();
    const Num = conn.model(
      'Num',
      new Schema({
        i: Schema.Types.Int32,
        big: Schema.Types.BigInt,
        d: Schema.Types.Double,
        dec: Schema.Types.Decimal128,
        n: Number,
      }),
      'mnums',
    );
    const created = await Num.create({ i: 7, big: BigInt(BIG), d: 5, dec: '1.10', n: 2.5 });
    assert.deepEqual(
      await typeCounts('mnums', {
        i: 'int',
        big: 'long',
        d: 'double',
        dec: 'decimal',
        n: 'double',
      }),
      { i: 1, big: 1, d: 1, dec: 1, n: 1 },
    );

    const lean = await Num.findById(created._id).lean();
    assert.equal(lean?.i, 7);
    assert.equal(lean?.n, 2.5);
    assert.ok(lean?.dec instanceof Decimal128 && lean.dec.toString() === '1.10');
    const exact = await Num.findById(created._id).lean().setOptions({ promoteValues: false });
    const rawDoc = exact as unknown as Document;
    assert.ok(rawDoc.i instanceof Int32, 'Int32 observed with promoteValues: false');
    assert.ok(rawDoc.d instanceof Double && rawDoc.d.value === 5);
    assert.ok(rawDoc.big instanceof Long && rawDoc.big.toString() === BIG);
    const asBigInt = await Num.findById(created._id).lean().setOptions({ useBigInt64: true });
    assert.equal((asBigInt as unknown as Document).big, BigInt(BIG));
  });
});

describe('comparing and sorting mixed numeric types', () => {
  const values: [string, unknown][] = [
    ['int3', new Int32(3)],
    ['long2', Long.fromNumber(2)],
    ['double2.5', new Double(2.5)],
    ['dec1.5', Decimal128.fromString('1.5')],
    ['doubleNeg', new Double(-1)],
    ['longBig', Long.fromString(BIG)],
    ['longBigMinus1', Long.fromString('9007199254740992')],
    ['double1e20', new Double(1e20)],
    ['decNeg', Decimal128.fromString('-100.25')],
  ];

  before(async () => {
    await t.db.collection<Doc>('mixed').insertMany(values.map(([name, v]) => ({ _id: name, v })));
  });

  it('sorts by numeric value whatever the type', async () => {
    const c = t.db.collection('mixed');
    const asc = (await c.find({}, { sort: { v: 1 } }).toArray()).map((d) => String(d._id));
    assert.deepEqual(asc, [
      'decNeg',
      'doubleNeg',
      'dec1.5',
      'long2',
      'double2.5',
      'int3',
      'longBigMinus1',
      'longBig',
      'double1e20',
    ]);
    const desc = (await c.find({}, { sort: { v: -1 } }).toArray()).map((d) => String(d._id));
    assert.deepEqual(desc, [...asc].reverse());
  });

  it('compares across types in range and equality filters', async () => {
    const c = t.db.collection('mixed');
    const ids = async (filter: Document): Promise<string[]> =>
      (await c.find(filter, { sort: { v: 1 } }).toArray()).map((d) => String(d._id));
    assert.deepEqual(await ids({ v: { $gt: new Int32(2), $lte: Decimal128.fromString('3') } }), [
      'double2.5',
      'int3',
    ]);
    assert.deepEqual(await ids({ v: 2 }), ['long2'], 'double 2 equals long 2');
    assert.deepEqual(await ids({ v: Decimal128.fromString('2.50') }), ['double2.5']);
    assert.deepEqual(await ids({ v: { $in: [new Double(3), Long.fromNumber(-1)] } }), [
      'doubleNeg',
      'int3',
    ]);
    assert.deepEqual(
      await ids({ v: Long.fromString(BIG) }),
      ['longBig'],
      'longs compare with all 64 bits',
    );
  });

  it('orders values of different BSON types by MongoDB’s type order', async () => {
    const c = t.db.collection('typeorder');
    const oid = new ObjectId();
    await c.insertMany([
      { _id: 'date', v: new Date(0) },
      { _id: 'bool', v: true },
      { _id: 'oid', v: oid },
      { _id: 'object', v: { a: 1 } },
      { _id: 'string', v: 'abc' },
      { _id: 'number', v: 42 },
      { _id: 'null', v: null },
      { _id: 'missing' },
    ] as Document[]);
    const order = (await c.find({}, { sort: { v: 1, _id: 1 } }).toArray()).map((d) => d._id);
    assert.deepEqual(order, [
      'missing',
      'null',
      'number',
      'string',
      'object',
      'oid',
      'bool',
      'date',
    ]);
  });
});

describe('$inc type arithmetic', () => {
  it('widens int32 overflow to long, mixes with double and decimal as MongoDB does', async () => {
    const c = t.db.collection('incs');
    await c.insertOne({
      _id: 1,
      i: new Int32(2147483647),
      l: Long.fromNumber(10),
      d: new Double(1.5),
      dec: Decimal128.fromString('0.1'),
      j: new Int32(1),
    } as Document);
    await c.updateOne({ _id: 1 } as Document, {
      $inc: {
        i: new Int32(1),
        l: new Int32(1),
        d: new Int32(1),
        dec: new Int32(1),
        j: new Double(0.5),
      },
    });
    assert.deepEqual(
      await typeCounts('incs', { i: 'long', l: 'long', d: 'double', dec: 'decimal', j: 'double' }),
      { i: 1, l: 1, d: 1, dec: 1, j: 1 },
    );
    const doc = await c.findOne({ _id: 1 } as Document, { promoteValues: false });
    assert.equal((doc?.i as Long).toString(), '2147483648');
    assert.equal((doc?.l as Long).toString(), '11');
    assert.equal((doc?.d as Double).value, 2.5);
    assert.equal((doc?.dec as Decimal128).toString(), '1.1');
    assert.equal((doc?.j as Double).value, 1.5);
  });
});
