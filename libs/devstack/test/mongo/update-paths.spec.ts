// Update paths as MongoDB's update reference defines them: what a path through an array or a
// scalar does (PathNotViable, 28), array indexes, $unset of an element, which paths conflict
// (40), field names such as __proto__, $rename, $mul, $bit and $currentDate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Int32, Long, Timestamp, type Collection, type UpdateFilter } from 'mongodb';
import { openTarget, rejection, type Doc, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('updatepaths');
});
after(async () => {
  await t.close();
});

let seq = 0;
async function fresh(doc: Doc): Promise<Collection<Doc>> {
  const c = t.db.collection<Doc>(`p${++seq}`);
  await c.insertOne(doc);
  return c;
}

describe('paths through arrays and scalars', () => {
  it('a field name after an array of documents fails with 28 and changes nothing', async () => {
    const c = await fresh({ _id: 1, comments: [{ body: 'a' }, { body: 'b' }] });
    const err = await rejection(c.updateOne({ _id: 1 }, { $set: { 'comments.body': 'x' } }));
    assert.equal(err['code'], 28);
    assert.deepEqual(await c.findOne({ _id: 1 }), {
      _id: 1,
      comments: [{ body: 'a' }, { body: 'b' }],
    });
  });

  it('a field below a scalar fails with 28', async () => {
    const c = await fresh({ _id: 1, a: 5 });
    const err = await rejection(c.updateOne({ _id: 1 }, { $inc: { 'a.b': 1 } }));
    assert.equal(err['code'], 28);
  });

  it('an array index in the path updates that element, or pads the array with null', async () => {
    const c = await fresh({ _id: 1, a: [{ b: 1 }, { b: 2 }], s: [1] });
    await c.updateOne({ _id: 1 }, { $set: { 'a.1.b': 5, 's.3': 4 } });
    assert.deepEqual(await c.findOne({ _id: 1 }), {
      _id: 1,
      a: [{ b: 1 }, { b: 5 }],
      s: [1, null, null, 4],
    });
  });

  it('$unset of an array element sets it to null', async () => {
    const c = await fresh({ _id: 1, a: [1, 2, 3] });
    await c.updateOne({ _id: 1 }, { $unset: { 'a.1': '' } });
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, a: [1, null, 3] });
  });

  it('$unset of a path that does not exist changes nothing', async () => {
    const c = await fresh({ _id: 1, a: 5 });
    const res = await c.updateOne({ _id: 1 }, { $unset: { 'a.b': '', 'x.y': '' } });
    assert.equal(res.modifiedCount, 0);
  });
});

describe('conflicting paths', () => {
  it('the same path in two operators, or a path and its subpath, fail with 40', async () => {
    const c = await fresh({ _id: 1, a: { b: 1 } });
    assert.equal(
      (await rejection(c.updateOne({ _id: 1 }, { $set: { a: 1 }, $inc: { a: 1 } })))['code'],
      40,
    );
    assert.equal(
      (await rejection(c.updateOne({ _id: 1 }, { $set: { a: {}, 'a.b': 2 } })))['code'],
      40,
    );
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, a: { b: 1 } });
  });

  it('sibling paths below one array index are not a conflict', async () => {
    const c = await fresh({ _id: 1, a: [{ x: 1 }] });
    await c.updateOne({ _id: 1 }, { $set: { 'a.0.x': 2, 'a.0.y': 3 } });
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, a: [{ x: 2, y: 3 }] });
  });
});

describe('field names', () => {
  it('$set of an object keeps its own __proto__ key, as insert does', async () => {
    const c = await fresh({ _id: 1 });
    const value = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Doc;
    await c.updateOne({ _id: 1 }, { $set: { o: value } });
    const doc = await c.findOne({ _id: 1 });
    const o = doc?.['o'] as Record<string, unknown>;
    assert.ok(Object.prototype.hasOwnProperty.call(o, '__proto__'));
    assert.deepEqual(Object.keys(o), ['__proto__', 'y']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(o, '__proto__')?.value, { x: 1 });
  });
});

describe('$rename, $mul, $bit, $currentDate', () => {
  it('$rename moves top-level and embedded fields; a missing source changes nothing', async () => {
    const c = await fresh({ _id: 1, nmae: 'x', name: { first: 'a', last: 'b' } });
    await c.updateOne(
      { _id: 1 },
      { $rename: { nmae: 'nick', 'name.first': 'name.fname', nope: 'other' } },
    );
    assert.deepEqual(await c.findOne({ _id: 1 }), {
      _id: 1,
      name: { last: 'b', fname: 'a' },
      nick: 'x',
    });
  });

  it('$mul on a missing field sets it to zero', async () => {
    const c = await fresh({ _id: 1, price: 10 });
    await c.updateOne({ _id: 1 }, { $mul: { price: 1.25, qty: 2 } });
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, price: 12.5, qty: 0 });
  });

  it('$bit and/or/xor keep the integer type of the field', async () => {
    const c = t.db.collection<Doc>('bit');
    await c.insertMany([
      { _id: 1, expdata: new Int32(13) },
      { _id: 2, expdata: Long.fromNumber(3) },
      { _id: 3, expdata: Long.fromNumber(1) },
    ]);
    await c.updateOne({ _id: 1 }, { $bit: { expdata: { and: new Int32(10) } } });
    await c.updateOne({ _id: 2 }, { $bit: { expdata: { or: new Int32(5) } } });
    await c.updateOne({ _id: 3 }, { $bit: { expdata: { xor: new Int32(5) } } });
    const docs = await c.find({}, { sort: { _id: 1 }, promoteLongs: false }).toArray();
    assert.deepEqual(
      docs.map((d) => d['expdata'] as unknown),
      [8, Long.fromNumber(7), Long.fromNumber(4)],
    );
  });

  it('$currentDate sets a date or a timestamp', async () => {
    const c = await fresh({ _id: 1 });
    const before = Date.now();
    await c.updateOne({ _id: 1 }, {
      $currentDate: { d: true, ts: { $type: 'timestamp' } },
    } as unknown as UpdateFilter<Doc>);
    const doc = await c.findOne({ _id: 1 });
    assert.ok(doc?.['d'] instanceof Date && doc['d'].getTime() >= before - 1000);
    assert.ok(doc['ts'] instanceof Timestamp);
  });
});
