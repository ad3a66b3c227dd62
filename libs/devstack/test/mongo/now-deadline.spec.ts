// `$$NOW` in filters, as the worker's write fence uses it: every job write carries
// `$expr: { $lt: ['$$NOW', notAfter] }`, so a write that reaches the server after its lease ended
// changes nothing. A deadline ahead matches, one behind matches nothing, in every write command
// the product sends; `$$NOW` is one value for the whole statement (a multi-document write at its
// deadline changes all of its documents or none); and an upsert refuses `$expr` as MongoDB does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Collection, Document } from 'mongodb';
import { openTarget, rejection, type Doc, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('now_deadline');
});
after(async () => {
  await t.close();
});

interface Item {
  _id: number;
  group: string;
  hits: number;
}

const HOUR_MS = 3_600_000;
const deadline = (offsetMs: number) => ({ $lt: ['$$NOW', new Date(Date.now() + offsetMs)] });
const ahead = () => deadline(HOUR_MS);
const behind = () => deadline(-HOUR_MS);

async function seeded(name: string, count = 5): Promise<Collection<Item>> {
  const c = t.db.collection<Item>(name);
  await c.insertMany(Array.from({ length: count }, (_, i) => ({ _id: i, group: 'g', hits: 0 })));
  return c;
}

const hitsOf = async (c: Collection<Item>) =>
  (await c.find({}).sort({ _id: 1 }).toArray()).map((d) => d.hits);

describe('$$NOW deadline in find', () => {
  it('a deadline ahead matches, one behind matches nothing', async () => {
    const c = await seeded('find');
    assert.equal((await c.find({ group: 'g', $expr: ahead() }).toArray()).length, 5);
    assert.deepEqual(await c.find({ group: 'g', $expr: behind() }).toArray(), []);
    assert.equal(await c.countDocuments({ $expr: ahead() }), 5);
    assert.equal(await c.countDocuments({ $expr: behind() }), 0);
  });

  it('combines with another $expr under $and, as the fence adds itself to a filter', async () => {
    const c = await seeded('find_and');
    const own = { $gte: ['$_id', 3] };
    assert.deepEqual(
      (await c.find({ $expr: { $and: [own, ahead()] } }).toArray()).map((d) => d._id),
      [3, 4],
    );
    assert.deepEqual(await c.find({ $expr: { $and: [own, behind()] } }).toArray(), []);
  });
});

describe('$$NOW deadline in update', () => {
  it('updateOne / updateMany: behind the deadline n 0, nModified 0, nothing changed', async () => {
    const c = await seeded('update');
    const late = await c.db.command({
      update: c.collectionName,
      updates: [
        { q: { _id: 0, $expr: behind() }, u: { $inc: { hits: 1 } } },
        { q: { group: 'g', $expr: behind() }, u: { $inc: { hits: 1 } }, multi: true },
      ],
    });
    assert.equal(late.ok, 1);
    assert.equal(late.n, 0);
    assert.equal(late.nModified, 0);
    assert.equal(late.writeErrors, undefined);
    assert.deepEqual(await hitsOf(c), [0, 0, 0, 0, 0]);

    const one = await c.updateOne({ _id: 0, $expr: behind() }, { $inc: { hits: 1 } });
    assert.deepEqual([one.matchedCount, one.modifiedCount], [0, 0]);
    const many = await c.updateMany({ group: 'g', $expr: behind() }, { $inc: { hits: 1 } });
    assert.deepEqual([many.matchedCount, many.modifiedCount], [0, 0]);
    assert.deepEqual(await hitsOf(c), [0, 0, 0, 0, 0]);
  });

  it('updateOne / updateMany: ahead of the deadline they apply', async () => {
    const c = await seeded('update_ahead');
    const one = await c.updateOne({ _id: 0, $expr: ahead() }, { $inc: { hits: 1 } });
    assert.deepEqual([one.matchedCount, one.modifiedCount], [1, 1]);
    const many = await c.updateMany({ group: 'g', $expr: ahead() }, { $inc: { hits: 1 } });
    assert.deepEqual([many.matchedCount, many.modifiedCount], [5, 5]);
    assert.deepEqual(await hitsOf(c), [2, 1, 1, 1, 1]);
  });
});

describe('$$NOW deadline in delete', () => {
  it('deleteOne / deleteMany: behind the deadline n 0 and every document stays', async () => {
    const c = await seeded('delete');
    const late = await c.db.command({
      delete: c.collectionName,
      deletes: [
        { q: { _id: 0, $expr: behind() }, limit: 1 },
        { q: { group: 'g', $expr: behind() }, limit: 0 },
      ],
    });
    assert.equal(late.ok, 1);
    assert.equal(late.n, 0);
    assert.equal((await c.deleteOne({ _id: 0, $expr: behind() })).deletedCount, 0);
    assert.equal((await c.deleteMany({ $expr: behind() })).deletedCount, 0);
    assert.equal(await c.countDocuments(), 5);
  });

  it('deleteOne / deleteMany: ahead of the deadline they delete', async () => {
    const c = await seeded('delete_ahead');
    assert.equal((await c.deleteOne({ _id: 0, $expr: ahead() })).deletedCount, 1);
    assert.equal((await c.deleteMany({ group: 'g', $expr: ahead() })).deletedCount, 4);
    assert.equal(await c.countDocuments(), 0);
  });
});

describe('$$NOW deadline in findAndModify', () => {
  it('behind the deadline: value null, lastErrorObject.n 0, nothing changed', async () => {
    const c = await seeded('fam');
    const updated = await c.findOneAndUpdate(
      { _id: 0, $expr: behind() },
      { $inc: { hits: 1 } },
      { returnDocument: 'after', includeResultMetadata: true },
    );
    assert.equal(updated.value, null);
    assert.equal(updated.lastErrorObject?.n, 0);
    assert.equal(updated.lastErrorObject?.updatedExisting, false);
    const removed = await c.findOneAndDelete(
      { _id: 1, $expr: behind() },
      { includeResultMetadata: true },
    );
    assert.equal(removed.value, null);
    assert.equal(removed.lastErrorObject?.n, 0);
    assert.deepEqual(await hitsOf(c), [0, 0, 0, 0, 0]);
  });

  it('ahead of the deadline: the document, lastErrorObject.n 1', async () => {
    const c = await seeded('fam_ahead');
    const updated = await c.findOneAndUpdate(
      { _id: 0, $expr: ahead() },
      { $inc: { hits: 1 } },
      { returnDocument: 'after', includeResultMetadata: true },
    );
    assert.deepEqual(updated.value, { _id: 0, group: 'g', hits: 1 });
    assert.equal(updated.lastErrorObject?.n, 1);
    assert.equal(updated.lastErrorObject?.updatedExisting, true);
    const removed = await c.findOneAndDelete(
      { _id: 1, $expr: ahead() },
      { includeResultMetadata: true },
    );
    assert.deepEqual(removed.value, { _id: 1, group: 'g', hits: 0 });
    assert.equal(removed.lastErrorObject?.n, 1);
    assert.equal(await c.countDocuments(), 4);
  });
});

describe('$$NOW is one value per statement', () => {
  // Each document costs real time to match (a $reduce over 4,000 numbers), so a statement over
  // 60 of them spans several milliseconds: a deadline that falls inside that span would split the
  // statement if $$NOW were read again for each document. MongoDB reads it once, so a fenced
  // updateMany at its deadline changes all of its documents or none of them.
  const SLOW = {
    $gte: [
      { $reduce: { input: { $range: [0, 4000] }, initialValue: 0, in: { $add: ['$$value', 1] } } },
      0,
    ],
  };
  const COUNT = 60;

  it('a multi-document update at its deadline changes all of its documents or none', async () => {
    const c = await seeded('per_statement', COUNT);
    const started = Date.now();
    const full = await c.updateMany({ $expr: { $and: [SLOW, ahead()] } }, { $inc: { hits: 1 } });
    const spanMs = Math.max(2, Date.now() - started);
    assert.equal(full.modifiedCount, COUNT);

    const outcomes: number[] = [];
    // Deadlines spread over the span the statement takes: at least one falls inside it.
    for (const share of [0.2, 0.4, 0.6, 0.8]) {
      const res = await c.updateMany(
        { $expr: { $and: [SLOW, deadline(Math.round(spanMs * share))] } },
        { $inc: { hits: 1 } },
      );
      outcomes.push(res.modifiedCount);
    }
    assert.deepEqual(
      outcomes.filter((n) => n !== 0 && n !== COUNT),
      [],
      `modified per statement (of ${String(COUNT)}, span ${String(spanMs)} ms): ${outcomes.join(', ')}`,
    );
    const hits = new Set(await hitsOf(c));
    assert.equal(hits.size, 1, 'every document saw the same statements');
  });
});

describe('$expr in an upsert', () => {
  // A fence cannot guard an upsert: MongoDB refuses $expr in an upsert's query (code 224,
  // QueryFeatureNotAllowed) rather than inserting a document the deadline did not stop.
  it('update with upsert refuses $expr with a write error, and inserts nothing', async () => {
    const c = t.db.collection<Doc>('upsert');
    const err = await rejection(
      c.updateOne({ _id: 'u', $expr: behind() }, { $set: { a: 1 } }, { upsert: true }),
    );
    assert.equal(err.code, 224);
    assert.match(
      String(err.errmsg ?? err.message),
      /\$expr is not allowed in the query predicate for an upsert/,
    );
    const raw = await c.db.command({
      update: c.collectionName,
      updates: [{ q: { _id: 'u', $expr: ahead() }, u: { $set: { a: 1 } }, upsert: true }],
    });
    assert.equal(raw.ok, 1);
    assert.equal(raw.n, 0);
    assert.equal((raw.writeErrors as Document[] | undefined)?.[0]?.code, 224);
    assert.equal(await c.countDocuments(), 0);
  });

  it('findAndModify with upsert refuses $expr, and inserts nothing', async () => {
    const c = t.db.collection<Doc>('upsert_fam');
    const err = await rejection(
      c.findOneAndUpdate({ _id: 'u', $expr: ahead() }, { $set: { a: 1 } }, { upsert: true }),
    );
    assert.equal(err.code, 224);
    assert.equal(await c.countDocuments(), 0);
  });

  it('without upsert the same filter is accepted, and a matching document is updated', async () => {
    const c = t.db.collection<Doc>('upsert_plain');
    await c.insertOne({ _id: 'u', a: 0 });
    const res = await c.updateOne({ _id: 'u', $expr: ahead() }, { $set: { a: 1 } });
    assert.equal(res.modifiedCount, 1);
  });
});
