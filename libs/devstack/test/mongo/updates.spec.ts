// Update operators and upserts, as the product's atomic single-document state changes use them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Int32, ObjectId, type Document } from 'mongodb';
import { Schema } from 'mongoose';
import { openTarget, rejection, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('updates');
});
after(async () => {
  await t.close();
});

describe('upserts', () => {
  it('seeds the new document from the equality fields of the filter', async () => {
    const c = t.db.collection('seed');
    const res = await c.updateOne(
      { tenant: 't1', email: { $eq: 'a@x.io' }, 'profile.lang': 'en', age: { $gt: 5 } },
      { $set: { visits: 1 } },
      { upsert: true },
    );
    assert.equal(res.upsertedCount, 1);
    assert.equal(res.matchedCount, 0);
    assert.ok(res.upsertedId instanceof ObjectId);
    const doc = await c.findOne({ _id: res.upsertedId }, { projection: { _id: 0 } });
    // $eq and dotted paths seed the document; a range condition does not.
    assert.deepEqual(doc, { tenant: 't1', email: 'a@x.io', profile: { lang: 'en' }, visits: 1 });
  });

  it('seeds from $and equalities and uses an _id given in the filter', async () => {
    const c = t.db.collection('seed');
    const res = await c.updateOne(
      { $and: [{ _id: 'fixed' }, { kind: 'k' }] } as Document,
      { $inc: { n: 1 } },
      { upsert: true },
    );
    assert.equal(res.upsertedId, 'fixed');
    assert.deepEqual(await c.findOne({ _id: 'fixed' } as Document), {
      _id: 'fixed',
      kind: 'k',
      n: 1,
    });
  });

  it('applies $setOnInsert only when inserting', async () => {
    const c = t.db.collection('soi');
    const created = new Date('2026-01-01T00:00:00Z');
    const upd = {
      $setOnInsert: { createdAt: created, state: 'new' },
      $set: { seenAt: new Date('2026-01-02T00:00:00Z') },
      $inc: { hits: 1 },
    };
    const first = await c.updateOne({ key: 'k1' }, upd, { upsert: true });
    assert.equal(first.upsertedCount, 1);
    const second = await c.updateOne(
      { key: 'k1' },
      { ...upd, $setOnInsert: { createdAt: new Date(0), state: 'again' } },
      { upsert: true },
    );
    assert.equal(second.upsertedCount, 0);
    assert.equal(second.matchedCount, 1);
    assert.equal(second.upsertedId, null);
    const doc = await c.findOne({ key: 'k1' }, { projection: { _id: 0 } });
    assert.deepEqual(doc, {
      key: 'k1',
      createdAt: created,
      state: 'new',
      seenAt: new Date('2026-01-02T00:00:00Z'),
      hits: 2,
    });
  });

  it('upserts through findOneAndUpdate and returns the new document', async () => {
    const c = t.db.collection('soi');
    const doc = await c.findOneAndUpdate(
      { key: 'k2' },
      { $setOnInsert: { state: 'new' }, $inc: { hits: 1 } },
      { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
    );
    assert.deepEqual(doc, { key: 'k2', state: 'new', hits: 1 });
    const before = await c.findOneAndUpdate(
      { key: 'k3' },
      { $set: { state: 'x' } },
      { upsert: true, returnDocument: 'before' },
    );
    assert.equal(before, null, 'returnDocument "before" of an upsert is null');
    assert.equal(await c.countDocuments({ key: 'k3' }), 1);
  });

  it('upserts a replacement document seeded with the filter _id', async () => {
    const c = t.db.collection('rep');
    const res = await c.replaceOne({ _id: 7 } as Document, { v: 'seven' }, { upsert: true });
    assert.equal(res.upsertedId, 7);
    assert.deepEqual(await c.findOne({ _id: 7 } as Document), { _id: 7, v: 'seven' });
  });

  it('upserts with Mongoose findOneAndUpdate', async () => {
    const conn = await t.mongoose();
    const Counter = conn.model(
      'Counter',
      new Schema({ name: String, n: Number, createdAt: Date }),
      'mcounters',
    );
    const opts = { upsert: true, returnDocument: 'after' as const };
    const a = await Counter.findOneAndUpdate(
      { name: 'uploads' },
      { $inc: { n: 1 }, $setOnInsert: { createdAt: new Date(5) } },
      opts,
    ).lean();
    const b = await Counter.findOneAndUpdate({ name: 'uploads' }, { $inc: { n: 1 } }, opts).lean();
    assert.equal(a?.n, 1);
    assert.equal(b?.n, 2);
    assert.deepEqual(b?.createdAt, new Date(5));
    assert.equal(String(a?._id), String(b?._id), 'the second call matched the upserted doc');
  });
});

describe('update operators', () => {
  it('$inc adds, creates missing fields and keeps an int32 an int32', async () => {
    const c = t.db.collection('inc');
    await c.insertOne({ _id: 1, n: new Int32(5), f: 1.5 } as Document);
    await c.updateOne({ _id: 1 } as Document, { $inc: { n: 2, f: -0.5, fresh: 3, 'a.b': 1 } });
    const doc = await c.findOne({ _id: 1 } as Document);
    assert.deepEqual(doc, { _id: 1, n: 7, f: 1, fresh: 3, a: { b: 1 } });
    assert.equal(await c.countDocuments({ n: { $type: 'int' } }), 1, 'int + int stays int');
  });

  it('$inc on a string fails with TypeMismatch (14) and changes nothing', async () => {
    const c = t.db.collection('inc');
    await c.insertOne({ _id: 2, n: 'five' } as Document);
    const err = await rejection(c.updateOne({ _id: 2 } as Document, { $inc: { n: 1 } }));
    assert.equal(err.code, 14);
    assert.equal(err.codeName, 'TypeMismatch');
    assert.deepEqual(await c.findOne({ _id: 2 } as Document), { _id: 2, n: 'five' });
  });

  it('$push appends, $push $each appends several, on a missing array creates it', async () => {
    const c = t.db.collection('push');
    await c.insertOne({ _id: 1, tags: ['a'] } as Document);
    await c.updateOne({ _id: 1 } as Document, { $push: { tags: 'b' } } as Document);
    await c.updateOne(
      { _id: 1 } as Document,
      { $push: { tags: { $each: ['c', 'd'] } } } as Document,
    );
    await c.updateOne({ _id: 1 } as Document, { $push: { events: { at: 1 } } } as Document);
    assert.deepEqual(await c.findOne({ _id: 1 } as Document), {
      _id: 1,
      tags: ['a', 'b', 'c', 'd'],
      events: [{ at: 1 }],
    });
  });

  it('$push onto a non-array field fails and changes nothing', async () => {
    const c = t.db.collection('push');
    await c.insertOne({ _id: 2, tags: 'scalar' } as Document);
    const err = await rejection(
      c.updateOne({ _id: 2 } as Document, { $push: { tags: 'x' } } as Document),
    );
    assert.equal(err.code, 2, 'BadValue: the field must be an array');
    assert.deepEqual(await c.findOne({ _id: 2 } as Document), { _id: 2, tags: 'scalar' });
  });

  it('a conditional update only applies while its condition holds', async () => {
    // The product's state machines rely on this: two racing transitions, one wins.
    const c = t.db.collection('cas');
    await c.insertOne({ _id: 's', state: 'open', version: 1 } as Document);
    const [a, b] = await Promise.all([
      c.findOneAndUpdate(
        { _id: 's', state: 'open' } as Document,
        { $set: { state: 'closed' }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      ),
      c.findOneAndUpdate(
        { _id: 's', state: 'open' } as Document,
        { $set: { state: 'expired' }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      ),
    ]);
    assert.equal([a, b].filter((d) => d !== null).length, 1, 'exactly one transition wins');
    const doc = await c.findOne({ _id: 's' } as Document);
    assert.equal(doc?.version, 2);
  });

  it('$unset, $min, $max, $addToSet and $pull update the document', async () => {
    const c = t.db.collection('misc');
    await c.insertOne({
      _id: 1,
      gone: 1,
      lo: 5,
      hi: 5,
      set: [1, 2],
      list: [1, 2, 3, 2],
    } as Document);
    await c.updateOne(
      { _id: 1 } as Document,
      {
        $unset: { gone: '' },
        $min: { lo: 3 },
        $max: { hi: 9 },
        $addToSet: { set: { $each: [2, 3] } },
        $pull: { list: 2 },
      } as Document,
    );
    assert.deepEqual(await c.findOne({ _id: 1 } as Document), {
      _id: 1,
      lo: 3,
      hi: 9,
      set: [1, 2, 3],
      list: [1, 3],
    });
  });

  it('refuses an update that changes _id with ImmutableField (66)', async () => {
    const c = t.db.collection('misc');
    const err = await rejection(c.updateOne({ _id: 1 } as Document, { $set: { _id: 2 } }));
    assert.equal(err.code, 66);
  });
});

describe('operators the product’s repositories use', () => {
  it('$max on dates keeps the later date and sets a missing field', async () => {
    const c = t.db.collection('dates');
    const early = new Date('2026-01-01T00:00:00Z');
    const late = new Date('2026-06-01T00:00:00Z');
    await c.insertOne({ _id: 1, expiresAt: late } as Document);
    await c.updateOne({ _id: 1 } as Document, { $max: { expiresAt: early, fresh: early } });
    assert.deepEqual(await c.findOne({ _id: 1 } as Document), {
      _id: 1,
      expiresAt: late,
      fresh: early,
    });
  });

  it('$currentDate sets the server time', async () => {
    const c = t.db.collection('dates');
    const before = Date.now() - 5_000;
    await c.updateOne({ _id: 1 } as Document, { $currentDate: { touchedAt: true } });
    const doc = await c.findOne({ _id: 1 } as Document);
    assert.ok(doc?.touchedAt instanceof Date);
    assert.ok(Math.abs(doc.touchedAt.getTime() - before) < 60_000, 'a current date');
  });

  it('a guarded $inc (quota reservation) applies only while the guard holds', async () => {
    const c = t.db.collection('quota');
    await c.insertOne({ _id: 'u1:2026-01-01', bytes: 90 } as Document);
    const reserve = (size: number): Promise<Document | null> =>
      c.findOneAndUpdate(
        { _id: 'u1:2026-01-01', bytes: { $lte: 100 - size } } as Document,
        { $inc: { bytes: size } },
        { returnDocument: 'after' },
      );
    assert.equal((await reserve(10))?.bytes, 100);
    assert.equal(await reserve(1), null, 'over the limit: nothing reserved');
    const withExpr = await c.findOneAndUpdate(
      { _id: 'u1:2026-01-01', $expr: { $lte: [{ $add: ['$bytes', -50] }, 60] } } as Document,
      { $inc: { bytes: -50 } },
      { returnDocument: 'after' },
    );
    assert.equal(withExpr?.bytes, 50, '$expr can compare computed values');
  });

  it('includeResultMetadata tells an upsert from an update', async () => {
    const c = t.db.collection('meta');
    const first = await c.findOneAndUpdate(
      { key: 'm' },
      { $inc: { n: 1 } },
      { upsert: true, includeResultMetadata: true, returnDocument: 'after' },
    );
    assert.equal(first.lastErrorObject?.updatedExisting, false);
    assert.ok(first.lastErrorObject?.upserted !== undefined);
    const second = await c.findOneAndUpdate(
      { key: 'm' },
      { $inc: { n: 1 } },
      { upsert: true, includeResultMetadata: true, returnDocument: 'after' },
    );
    assert.equal(second.lastErrorObject?.updatedExisting, true);
    assert.equal(second.lastErrorObject?.n, 1);
    assert.equal(second.value?.n, 2);
  });

  const partsDoc = (): Document => ({
    _id: 1,
    parts: [
      { n: 1, etag: null },
      { n: 2, etag: null },
      { n: 3, etag: null },
    ],
  });

  it('updates the matched array element with the positional $', async () => {
    const c = t.db.collection('parts_positional');
    await c.insertOne(partsDoc());
    await c.updateOne({ _id: 1, 'parts.n': 2 } as Document, { $set: { 'parts.$.etag': 'e2' } });
    const doc = await c.findOne({ _id: 1 } as Document);
    assert.deepEqual(
      (doc?.parts as { etag: unknown }[]).map((p) => p.etag),
      [null, 'e2', null],
    );
  });

  it('updates the array elements chosen by arrayFilters', async () => {
    const c = t.db.collection('parts_filters');
    await c.insertOne(partsDoc());
    await c.updateOne(
      { _id: 1 } as Document,
      { $set: { 'parts.$[p].etag': 'big' } },
      { arrayFilters: [{ 'p.n': { $gte: 2 } }] },
    );
    const doc = await c.findOne({ _id: 1 } as Document);
    assert.deepEqual(
      (doc?.parts as { etag: unknown }[]).map((p) => p.etag),
      [null, 'big', 'big'],
    );
  });

  it('$pull removes the array elements matching a condition', async () => {
    const c = t.db.collection('parts_pull');
    await c.insertOne(partsDoc());
    await c.updateOne({ _id: 1 } as Document, { $pull: { parts: { n: { $lt: 3 } } } } as Document);
    const doc = await c.findOne({ _id: 1 } as Document);
    assert.deepEqual(doc?.parts, [{ n: 3, etag: null }]);
  });
});
