// Find projections, from MongoDB's projection reference ($, $elemMatch, $slice) and "Project
// Fields to Return from Query": what each operator returns, and which combinations MongoDB
// accepts (a $slice-only projection keeps every other field; $slice goes with an exclusion) or
// refuses (inclusion mixed with exclusion, a path and its subpath).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTarget, rejection, type Doc, type Target } from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('projections');
  await t.db.collection<Doc>('students').insertMany([
    { _id: 1, semester: 1, grades: [70, 87, 90] },
    { _id: 2, semester: 1, grades: [90, 88, 92] },
    { _id: 3, semester: 1, grades: [85, 100, 90] },
    { _id: 4, semester: 2, grades: [79, 85, 80] },
    {
      _id: 7,
      semester: 3,
      grades: [
        { grade: 80, mean: 75, std: 8 },
        { grade: 85, mean: 90, std: 5 },
        { grade: 90, mean: 85, std: 3 },
      ],
    },
  ]);
  await t.db.collection<Doc>('schools').insertMany([
    {
      _id: 1,
      zipcode: '63109',
      students: [
        { name: 'john', school: 102, age: 10 },
        { name: 'jess', school: 102, age: 11 },
        { name: 'jeff', school: 108, age: 15 },
      ],
    },
    { _id: 3, zipcode: '63109', students: [{ name: 'ajax', school: 100, age: 7 }] },
  ]);
  await t.db.collection<Doc>('posts').insertOne({
    _id: 1,
    title: 'p',
    secret: 's',
    fans: [1, 2, 3, 4, 5, 6, 7],
    details: { colors: ['blue', 'red'], sizes: ['S', 'M'] },
    dates: [new Date('2026-01-01'), new Date('2026-03-01'), new Date('2026-05-01')],
  });
});
after(async () => {
  await t.close();
});

const find = (coll: string, filter: Doc, projection: Doc): Promise<Doc[]> =>
  t.db
    .collection<Doc>(coll)
    .find(filter, { projection, sort: { _id: 1 } })
    .toArray();

describe('positional $ projection', () => {
  it('returns the first array element the query matched (array of numbers)', async () => {
    assert.deepEqual(
      await find('students', { semester: 1, grades: { $gte: 85 } }, { 'grades.$': 1 }),
      [
        { _id: 1, grades: [87] },
        { _id: 2, grades: [90] },
        { _id: 3, grades: [85] },
      ],
    );
  });

  it('returns the first matched element of an array of documents', async () => {
    assert.deepEqual(await find('students', { 'grades.mean': { $gt: 70 } }, { 'grades.$': 1 }), [
      { _id: 7, grades: [{ grade: 80, mean: 75, std: 8 }] },
    ]);
  });

  it('uses the element an $elemMatch query condition matched', async () => {
    const docs = await find(
      'students',
      { grades: { $elemMatch: { mean: { $gt: 70 }, grade: { $gt: 85 } } } },
      { 'grades.$': 1, semester: 1 },
    );
    assert.deepEqual(docs, [{ _id: 7, semester: 3, grades: [{ grade: 90, mean: 85, std: 3 }] }]);
  });

  it('applies to a single-document find as well', async () => {
    const doc = await t.db
      .collection<Doc>('students')
      .findOne({ _id: 4, grades: { $gt: 80 } }, { projection: { 'grades.$': 1, _id: 0 } });
    assert.deepEqual(doc, { grades: [85] });
  });
});

describe('$elemMatch projection', () => {
  it('returns only the first element matching a document condition, and _id', async () => {
    assert.deepEqual(
      await find('schools', { zipcode: '63109' }, { students: { $elemMatch: { school: 102 } } }),
      [{ _id: 1, students: [{ name: 'john', school: 102, age: 10 }] }, { _id: 3 }],
    );
  });

  it('accepts a condition made only of operators on scalar elements', async () => {
    const docs = await find(
      'posts',
      {},
      { dates: { $elemMatch: { $gte: new Date('2026-02-01') } } },
    );
    assert.deepEqual(docs, [{ _id: 1, dates: [new Date('2026-03-01')] }]);
  });

  it('combines with other included fields', async () => {
    const docs = await find(
      'schools',
      { _id: 1 },
      { zipcode: 1, students: { $elemMatch: { age: { $gt: 10 } } } },
    );
    assert.deepEqual(docs, [
      { _id: 1, zipcode: '63109', students: [{ name: 'jess', school: 102, age: 11 }] },
    ]);
  });
});

describe('$slice projection', () => {
  it('alone, returns every other field with the array sliced', async () => {
    const [doc] = await find('posts', {}, { fans: { $slice: [0, 5] } });
    assert.deepEqual(Object.keys(doc), ['_id', 'title', 'secret', 'fans', 'details', 'dates']);
    assert.deepEqual(doc['fans'], [1, 2, 3, 4, 5]);
  });

  it('counts from the start, from the end, and as [skip, limit]', async () => {
    const fans = async (slice: unknown): Promise<unknown> =>
      (await find('posts', {}, { _id: 0, fans: { $slice: slice } }))[0]['fans'];
    assert.deepEqual(await fans(2), [1, 2]);
    assert.deepEqual(await fans(-2), [6, 7]);
    assert.deepEqual(await fans([1, 2]), [2, 3]);
    assert.deepEqual(await fans([-3, 2]), [5, 6]);
    assert.deepEqual(await fans([10, 2]), []);
    assert.deepEqual(await fans(100), [1, 2, 3, 4, 5, 6, 7]);
  });

  it('goes together with an excluded field', async () => {
    const docs = await find('posts', {}, { fans: { $slice: -1 }, secret: 0, details: 0, dates: 0 });
    assert.deepEqual(docs, [{ _id: 1, title: 'p', fans: [7] }]);
  });

  it('goes together with included fields (only those are returned)', async () => {
    const docs = await find('posts', {}, { title: 1, fans: { $slice: 1 } });
    assert.deepEqual(docs, [{ _id: 1, title: 'p', fans: [1] }]);
  });

  it('slices an array in an embedded document', async () => {
    // Exclusion style: the rest of the embedded document stays.
    const [all] = await find('posts', {}, { _id: 0, 'details.colors': { $slice: 1 } });
    assert.deepEqual(all['details'], { colors: ['blue'], sizes: ['S', 'M'] });
    // Inclusion style: only the sliced field of the embedded document.
    const [some] = await find('posts', {}, { title: 1, 'details.colors': { $slice: 1 } });
    assert.deepEqual(some, { _id: 1, title: 'p', details: { colors: ['blue'] } });
  });
});

describe('inclusion and exclusion of embedded fields', () => {
  it('includes a field of every document of an array', async () => {
    const docs = await find('schools', { _id: 1 }, { 'students.name': 1, _id: 0 });
    assert.deepEqual(docs, [{ students: [{ name: 'john' }, { name: 'jess' }, { name: 'jeff' }] }]);
  });

  it('excludes a field of every document of an array', async () => {
    const docs = await find('schools', { _id: 3 }, { 'students.age': 0, zipcode: 0 });
    assert.deepEqual(docs, [{ _id: 3, students: [{ name: 'ajax', school: 100 }] }]);
  });

  it('a nested projection document is the dotted form', async () => {
    const docs = await find('posts', {}, { _id: 0, details: { sizes: 1 } });
    assert.deepEqual(docs, [{ details: { sizes: ['S', 'M'] } }]);
  });
});

describe('projections MongoDB refuses', () => {
  it('refuses an exclusion in an inclusion projection, and the reverse', async () => {
    const a = await rejection(find('posts', {}, { title: 1, secret: 0 }));
    assert.equal(a['code'], 31254);
    const b = await rejection(find('posts', {}, { secret: 0, title: 1 }));
    assert.equal(b['code'], 31253);
  });

  it('refuses a path together with one of its subpaths', async () => {
    const err = await rejection(find('posts', {}, { details: 1, 'details.colors': 1 }));
    assert.equal(err['ok'], 0);
  });
});
