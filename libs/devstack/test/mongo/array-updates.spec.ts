// Array update operators, from the examples of MongoDB's update operator reference: $pull with
// every condition shape, $pullAll, $push with $each/$position/$sort/$slice, $addToSet, $pop,
// the positional $, $[] and $[<identifier>] with arrayFilters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Document, UpdateOptions } from 'mongodb';
import { Schema } from 'mongoose';
import { openTarget, rejection, type Doc, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('arrayupdates');
});
after(async () => {
  await t.close();
});

let seq = 0;
/** Inserts `docs` into a fresh collection, runs updateMany, returns the documents by _id. */
async function updated(
  docs: Doc[],
  update: Document,
  options: UpdateOptions & { filter?: Doc } = {},
): Promise<Doc[]> {
  const c = t.db.collection<Doc>(`c${++seq}`);
  await c.insertMany(docs);
  const { filter = {}, ...opts } = options;
  await c.updateMany(filter, update, opts);
  return c.find({}, { sort: { _id: 1 } }).toArray();
}

describe('$pull', () => {
  it('removes by value and by condition ($in) in one update', async () => {
    const docs = await updated(
      [
        {
          _id: 1,
          fruits: ['apples', 'pears', 'oranges', 'grapes', 'bananas'],
          vegetables: ['carrots', 'celery', 'squash', 'carrots'],
        },
        {
          _id: 2,
          fruits: ['plums', 'kiwis', 'oranges', 'bananas', 'apples'],
          vegetables: ['broccoli', 'zucchini', 'carrots', 'onions'],
        },
      ],
      { $pull: { fruits: { $in: ['apples', 'oranges'] }, vegetables: 'carrots' } },
    );
    assert.deepEqual(docs, [
      { _id: 1, fruits: ['pears', 'grapes', 'bananas'], vegetables: ['celery', 'squash'] },
      {
        _id: 2,
        fruits: ['plums', 'kiwis', 'bananas'],
        vegetables: ['broccoli', 'zucchini', 'onions'],
      },
    ]);
  });

  it('removes the elements a comparison operator matches', async () => {
    const docs = await updated([{ _id: 1, votes: [3, 5, 6, 7, 7, 8] }], {
      $pull: { votes: { $gte: 6 } },
    });
    assert.deepEqual(docs, [{ _id: 1, votes: [3, 5] }]);
  });

  it('a document condition is a query on each element document', async () => {
    const docs = await updated(
      [
        {
          _id: 1,
          results: [
            { item: 'A', score: 5 },
            { item: 'B', score: 8 },
          ],
        },
        {
          _id: 2,
          results: [
            { item: 'C', score: 8 },
            { item: 'B', score: 4 },
          ],
        },
      ],
      { $pull: { results: { score: 8, item: 'B' } } },
    );
    assert.deepEqual(docs, [
      { _id: 1, results: [{ item: 'A', score: 5 }] },
      {
        _id: 2,
        results: [
          { item: 'C', score: 8 },
          { item: 'B', score: 4 },
        ],
      },
    ]);
  });

  it('a condition built from $or or $and removes every element it matches', async () => {
    const ticks = [{ name: 'eggs' }, { name: 'bacon' }, { name: 'ham', n: 2 }];
    const or = await updated([{ _id: 1, ticks }], {
      $pull: { ticks: { $or: [{ name: 'eggs' }, { name: 'bacon' }] } },
    });
    assert.deepEqual(or, [{ _id: 1, ticks: [{ name: 'ham', n: 2 }] }]);
    const and = await updated([{ _id: 1, ticks }], {
      $pull: { ticks: { $and: [{ name: 'ham' }, { n: { $gt: 1 } }] } },
    });
    assert.deepEqual(and, [{ _id: 1, ticks: [{ name: 'eggs' }, { name: 'bacon' }] }]);
  });

  it('removes documents whose nested array has an element matching $elemMatch', async () => {
    const docs = await updated(
      [
        {
          _id: 1,
          results: [
            {
              item: 'A',
              score: 5,
              answers: [
                { q: 1, a: 4 },
                { q: 2, a: 6 },
              ],
            },
            {
              item: 'B',
              score: 8,
              answers: [
                { q: 1, a: 8 },
                { q: 2, a: 9 },
              ],
            },
          ],
        },
        {
          _id: 2,
          results: [
            {
              item: 'C',
              score: 8,
              answers: [
                { q: 1, a: 8 },
                { q: 2, a: 7 },
              ],
            },
            {
              item: 'B',
              score: 4,
              answers: [
                { q: 1, a: 0 },
                { q: 2, a: 8 },
              ],
            },
          ],
        },
      ],
      { $pull: { results: { answers: { $elemMatch: { q: 2, a: { $gte: 8 } } } } } },
    );
    assert.deepEqual(
      docs.map((d) => (d['results'] as Doc[]).map((r) => r['item'] as unknown)),
      [['A'], ['C']],
    );
  });

  it('an array value removes only elements equal to it, order included', async () => {
    const docs = await updated([{ _id: 1, a: [[1, 2], [2, 1], 1] }], { $pull: { a: [1, 2] } });
    assert.deepEqual(docs, [{ _id: 1, a: [[2, 1], 1] }]);
  });

  it("Mongoose's pull of subdocuments without _id removes them", async () => {
    const conn = await t.mongoose();
    const Item = conn.model(
      'PullItem',
      new Schema({ ticks: [new Schema({ name: String }, { _id: false })] }),
      'pullitems',
    );
    const doc = await Item.create({
      ticks: [{ name: 'eggs' }, { name: 'bacon' }, { name: 'ham' }],
    });
    doc.ticks.pull({ name: 'eggs' }, { name: 'bacon' });
    await doc.save();
    const back = await Item.findById(doc._id).lean();
    assert.deepEqual(
      back?.ticks.map((x) => x.name),
      ['ham'],
    );
  });
});

describe('$pullAll and $pop', () => {
  it('$pullAll removes every instance of the listed values', async () => {
    const docs = await updated([{ _id: 1, scores: [0, 2, 5, 5, 1, 0] }], {
      $pullAll: { scores: [0, 5] },
    });
    assert.deepEqual(docs, [{ _id: 1, scores: [2, 1] }]);
  });

  it('$pop removes the first (-1) or the last (1) element', async () => {
    assert.deepEqual(await updated([{ _id: 1, scores: [8, 9, 10] }], { $pop: { scores: -1 } }), [
      { _id: 1, scores: [9, 10] },
    ]);
    assert.deepEqual(await updated([{ _id: 1, scores: [8, 9, 10] }], { $pop: { scores: 1 } }), [
      { _id: 1, scores: [8, 9] },
    ]);
  });
});

describe('$push modifiers', () => {
  it('$each with $sort on a field and $slice keeps the top three', async () => {
    const docs = await updated(
      [
        {
          _id: 5,
          quizzes: [
            { wk: 1, score: 10 },
            { wk: 2, score: 8 },
            { wk: 3, score: 5 },
            { wk: 4, score: 6 },
          ],
        },
      ],
      {
        $push: {
          quizzes: {
            $each: [
              { wk: 5, score: 8 },
              { wk: 6, score: 7 },
              { wk: 7, score: 6 },
            ],
            $sort: { score: -1 },
            $slice: 3,
          },
        },
      },
    );
    assert.deepEqual(docs, [
      {
        _id: 5,
        quizzes: [
          { wk: 1, score: 10 },
          { wk: 2, score: 8 },
          { wk: 5, score: 8 },
        ],
      },
    ]);
  });

  it('$position inserts at an index, counted from the end when negative', async () => {
    assert.deepEqual(
      await updated([{ _id: 1, scores: [100] }], {
        $push: { scores: { $each: [50, 60, 70], $position: 0 } },
      }),
      [{ _id: 1, scores: [50, 60, 70, 100] }],
    );
    assert.deepEqual(
      await updated([{ _id: 1, scores: [50, 60, 70, 100] }], {
        $push: { scores: { $each: [20, 30], $position: -2 } },
      }),
      [{ _id: 1, scores: [50, 60, 20, 30, 70, 100] }],
    );
  });

  it('$slice keeps the first or the last elements', async () => {
    assert.deepEqual(
      await updated([{ _id: 1, scores: [40, 50, 60] }], {
        $push: { scores: { $each: [80, 78, 86], $slice: -5 } },
      }),
      [{ _id: 1, scores: [50, 60, 80, 78, 86] }],
    );
    assert.deepEqual(
      await updated([{ _id: 1, scores: [89, 90] }], {
        $push: { scores: { $each: [100, 20], $slice: 3 } },
      }),
      [{ _id: 1, scores: [89, 90, 100] }],
    );
  });

  it('$sort sorts whole elements or by an embedded field', async () => {
    assert.deepEqual(
      await updated([{ _id: 2, tests: [89, 70, 89, 50] }], {
        $push: { tests: { $each: [40, 60], $sort: 1 } },
      }),
      [{ _id: 2, tests: [40, 50, 60, 70, 89, 89] }],
    );
    const docs = await updated(
      [
        {
          _id: 1,
          quizzes: [
            { id: 1, score: 6 },
            { id: 2, score: 9 },
          ],
        },
      ],
      {
        $push: {
          quizzes: {
            $each: [
              { id: 3, score: 8 },
              { id: 4, score: 7 },
              { id: 5, score: 6 },
            ],
            $sort: { score: 1 },
          },
        },
      },
    );
    assert.deepEqual(
      (docs[0]['quizzes'] as Doc[]).map((q) => q['id'] as unknown),
      [1, 5, 4, 3, 2],
    );
  });

  it('an unknown modifier next to $each is refused', async () => {
    const c = t.db.collection<Doc>('pushbad');
    await c.insertOne({ _id: 1, a: [] });
    const err = await rejection(
      c.updateOne({ _id: 1 }, { $push: { a: { $each: [1], $bogus: 1 } } } as Document),
    );
    assert.equal(err['code'], 2);
  });
});

describe('$addToSet', () => {
  it('adds an array value as a single element', async () => {
    assert.deepEqual(
      await updated([{ _id: 1, letters: ['a', 'b'] }], { $addToSet: { letters: ['c', 'd'] } }),
      [{ _id: 1, letters: ['a', 'b', ['c', 'd']] }],
    );
  });

  it('$each adds only the values not already present', async () => {
    const docs = await updated([{ _id: 2, item: 'cable', tags: ['electronics', 'supplies'] }], {
      $addToSet: { tags: { $each: ['camera', 'electronics', 'accessories'] } },
    });
    assert.deepEqual(docs, [
      { _id: 2, item: 'cable', tags: ['electronics', 'supplies', 'camera', 'accessories'] },
    ]);
  });
});

describe('positional $, $[] and $[<identifier>]', () => {
  it('$ updates the first element the query matched', async () => {
    const docs = await updated(
      [{ _id: 1, grades: [85, 80, 80] }],
      { $set: { 'grades.$': 82 } },
      { filter: { _id: 1, grades: 80 } },
    );
    assert.deepEqual(docs, [{ _id: 1, grades: [85, 82, 80] }]);
  });

  it('$ reaches into the matched document, also through $elemMatch', async () => {
    const grades = [
      { grade: 80, mean: 75, std: 8 },
      { grade: 85, mean: 90, std: 5 },
      { grade: 90, mean: 85, std: 3 },
    ];
    const a = await updated(
      [{ _id: 4, grades }],
      { $set: { 'grades.$.std': 6 } },
      { filter: { 'grades.grade': 85 } },
    );
    assert.deepEqual(
      (a[0]['grades'] as Doc[]).map((g) => g['std'] as unknown),
      [8, 6, 3],
    );
    const b = await updated(
      [{ _id: 5, grades }],
      { $set: { 'grades.$.std': 6 } },
      {
        filter: { grades: { $elemMatch: { grade: { $lte: 90 }, mean: { $gt: 80 } } } },
      },
    );
    assert.deepEqual(
      (b[0]['grades'] as Doc[]).map((g) => g['std'] as unknown),
      [8, 6, 3],
    );
  });

  it('$ without a query condition on the array is refused', async () => {
    const c = t.db.collection<Doc>('posnone');
    await c.insertOne({ _id: 1, a: [1, 2] });
    const err = await rejection(c.updateOne({ _id: 1 }, { $set: { 'a.$': 5 } }));
    assert.equal(err['code'], 2);
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, a: [1, 2] });
  });

  it('$[] updates every element, also a field of every element', async () => {
    assert.deepEqual(
      await updated([{ _id: 1, grades: [85, 82, 80] }], { $inc: { 'grades.$[]': 10 } }),
      [{ _id: 1, grades: [95, 92, 90] }],
    );
    const docs = await updated(
      [
        {
          _id: 1,
          grades: [
            { grade: 80, std: 8 },
            { grade: 85, std: 6 },
            { grade: 85, std: 8 },
          ],
        },
      ],
      { $inc: { 'grades.$[].std': -2 } },
    );
    assert.deepEqual(
      (docs[0]['grades'] as Doc[]).map((g) => g['std'] as unknown),
      [6, 4, 6],
    );
  });

  it('two paths through the same $[] are not a conflict', async () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const docs = await updated([{ _id: 1, children: [{ name: 'a' }, { name: 'b' }] }], {
      $set: { 'children.$[].name': 'z', 'children.$[].updatedAt': at },
    });
    assert.deepEqual(docs, [
      {
        _id: 1,
        children: [
          { name: 'z', updatedAt: at },
          { name: 'z', updatedAt: at },
        ],
      },
    ]);
  });

  it('an upsert with $[] takes the array from an equality in the query', async () => {
    const c = t.db.collection<Doc>('upsertall');
    await c.updateOne(
      { _id: 1, myArray: [5, 8] },
      { $set: { 'myArray.$[]': 10 } },
      { upsert: true },
    );
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, myArray: [10, 10] });
    await rejection(c.updateOne({ _id: 2 }, { $set: { 'myArray.$[]': 10 } }, { upsert: true }));
    assert.equal(await c.countDocuments({ _id: 2 }), 0);
  });

  it('$[<identifier>] updates the elements its array filter matches', async () => {
    const docs = await updated(
      [
        { _id: 1, grades: [95, 92, 90] },
        { _id: 2, grades: [98, 100, 102] },
        { _id: 3, grades: [95, 110, 100] },
      ],
      { $set: { 'grades.$[element]': 100 } },
      { arrayFilters: [{ element: { $gte: 100 } }] },
    );
    assert.deepEqual(
      docs.map((d) => d['grades'] as unknown),
      [
        [95, 92, 90],
        [98, 100, 100],
        [95, 100, 100],
      ],
    );
  });

  it('array filters on fields of the elements, with several conditions', async () => {
    const grades = [
      { grade: 80, mean: 75, std: 6 },
      { grade: 85, mean: 90, std: 4 },
      { grade: 85, mean: 85, std: 6 },
    ];
    const a = await updated(
      [{ _id: 1, grades }],
      { $set: { 'grades.$[elem].mean': 100 } },
      {
        arrayFilters: [{ 'elem.grade': { $gte: 85 } }],
      },
    );
    assert.deepEqual(
      (a[0]['grades'] as Doc[]).map((g) => g['mean'] as unknown),
      [75, 100, 100],
    );
    const b = await updated(
      [{ _id: 1, grades }],
      { $inc: { 'grades.$[elem].std': -1 } },
      {
        arrayFilters: [{ 'elem.grade': { $gte: 80 }, 'elem.std': { $gt: 5 } }],
      },
    );
    assert.deepEqual(
      (b[0]['grades'] as Doc[]).map((g) => g['std'] as unknown),
      [5, 4, 5],
    );
  });

  it('$[<identifier>] nested inside $[]', async () => {
    const docs = await updated(
      [
        {
          _id: 1,
          grades: [
            { type: 'quiz', questions: [10, 8, 5] },
            { type: 'quiz', questions: [8, 9, 6] },
            { type: 'hw', questions: [5, 4, 3] },
            { type: 'exam', questions: [25, 10, 23, 0] },
          ],
        },
      ],
      { $inc: { 'grades.$[].questions.$[score]': 2 } },
      { arrayFilters: [{ score: { $gte: 8 } }] },
    );
    assert.deepEqual(
      (docs[0]['grades'] as Doc[]).map((g) => g['questions'] as unknown),
      [
        [12, 10, 5],
        [10, 11, 6],
        [5, 4, 3],
        [27, 12, 25, 0],
      ],
    );
  });

  it('refuses an identifier without an array filter, and an unused array filter', async () => {
    const c = t.db.collection<Doc>('afbad');
    await c.insertOne({ _id: 1, a: [1] });
    await rejection(c.updateOne({ _id: 1 }, { $set: { 'a.$[x]': 2 } }));
    await rejection(c.updateOne({ _id: 1 }, { $set: { a: [2] } }, { arrayFilters: [{ x: 1 }] }));
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, a: [1] });
  });
});
