// The fast paths of a query (candidates from the _id map or an index, $in as one Set lookup,
// the simple matcher) must give exactly what the slow path gives: a scan of every document in
// natural order, tested by mingo with $in as "equal to one of the values", value by value.
// Reproduce a failure with CANDIDATES_SEED=<seed printed in the failing test's name>.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal128, Double, Int32, Long, ObjectId, type Document } from 'bson';
import { Context } from 'mingo';
import * as accumulator from 'mingo/operators/accumulator';
import * as expression from 'mingo/operators/expression';
import * as pipeline from 'mingo/operators/pipeline';
import * as projection from 'mingo/operators/projection';
import * as query from 'mingo/operators/query';
import * as window from 'mingo/operators/window';
import { Query } from 'mingo/query';
import { equalsTest, someLeaf } from './match-values.js';
import * as ours from './query-ops.js';
import { compileFilter, type Filter } from './query.js';
import type { IndexSpec } from '../indexes/spec.js';
import { Prng } from '../../../../../test/e2e/fuzz/prng.js';
import { Store } from './store.js';
import { $type } from './type-operator.js';
import { cloneValue, toEngine } from './values.js';

const SEED = Number(process.env.CANDIDATES_SEED ?? 0xc0ffee);
const ROUNDS = 40;
const FILTERS_PER_ROUND = 60;

type Op = (selector: string, value: unknown) => (obj: unknown) => boolean;

// The reference $in: one equality test per listed value, as the engine evaluated it before.
const linearIn: Op = (selector, value) => {
  if (!Array.isArray(value)) throw new Error('$in needs an array');
  const parts = selector.split('.');
  const tests = (value as unknown[]).map((v) => equalsTest(v));
  return (obj) => someLeaf(obj, parts, (x) => tests.some((t) => t(x)));
};
const linearNin: Op = (selector, value) => {
  const p = linearIn(selector, value);
  return (obj) => !p(obj);
};

type Ops = NonNullable<Parameters<typeof Context.init>[0]>;
const REFERENCE_CONTEXT = Context.init({
  accumulator,
  expression,
  pipeline,
  projection,
  window,
  query: { ...query, ...ours, $type, $in: linearIn, $nin: linearNin } as unknown as Ops['query'],
});

const OID = new ObjectId('65a000000000000000000001');
const WHEN = new Date('2026-01-01T00:00:00Z');

// Values that MongoDB tells apart or not in subtle ways: 1, 1.0, Int64 1, Decimal 1 and '1';
// null and missing; an array and its elements; a regex as a value.
const VALUES: (() => unknown)[] = [
  () => 1,
  () => new Double(1),
  () => Long.fromNumber(1),
  () => Decimal128.fromString('1.0'),
  () => new Int32(2),
  () => 2.5,
  () => Long.fromString('1152921504606846976'),
  () => '1',
  () => 'x',
  () => 'xy',
  () => null,
  () => true,
  () => false,
  () => new ObjectId(OID.toHexString()),
  () => new Date(WHEN.getTime()),
  () => /^x/,
  () => [1, 'x'],
  () => [],
  () => [null],
  () => [[1]],
  () => ({ b: 1 }),
  () => [{ b: 1 }, { c: 2 }],
  () => [{ c: 2 }],
  () => ({ b: null }),
];
const FIELDS = ['_id', 'a', 'b', 'n.b', 'a.0', 'tags'];
const SCALARS = [0, 1, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15];

function generator(rand: () => number): {
  int: (n: number) => number;
  pick: <T>(xs: readonly T[]) => T;
} {
  const int = (n: number): number => Math.floor(rand() * n);
  return { int, pick: (xs) => xs[int(xs.length)] };
}

function makeDoc(rand: () => number, id: number): Document {
  const { int, pick } = generator(rand);
  const doc: Document = { _id: int(4) === 0 ? String(id) : id };
  for (const field of ['a', 'b', 'n', 'tags']) {
    if (int(5) === 0) continue; // missing
    doc[field] = pick(VALUES)();
  }
  return toEngine(doc);
}

function makeValue(rand: () => number, ids: readonly unknown[]): unknown {
  const { int, pick } = generator(rand);
  // _id values from the collection itself, so lookups find something.
  if (int(4) === 0 && ids.length > 0) return cloneValue(pick(ids));
  return int(3) === 0 ? pick(VALUES)() : VALUES[pick(SCALARS)]();
}

function makeCondition(rand: () => number, ids: readonly unknown[]): Filter {
  const { int, pick } = generator(rand);
  const field = pick(FIELDS);
  const list = (): unknown[] => {
    const n = int(8) === 0 ? 40 + int(40) : int(6);
    return Array.from({ length: n }, () => makeValue(rand, ids));
  };
  switch (int(9)) {
    case 0:
      return { [field]: makeValue(rand, ids) };
    case 1:
      return { [field]: { $eq: makeValue(rand, ids) } };
    case 2:
    case 3:
    case 4:
      return { [field]: { $in: list() } };
    case 5:
      return { [field]: { $nin: list() } };
    case 6:
      return { [field]: { $in: list(), $ne: makeValue(rand, ids) } };
    case 7:
      return { [field]: { $exists: int(2) === 0 } };
    default:
      return { [field]: { $gte: VALUES[pick(SCALARS)]() } };
  }
}

function makeFilter(rand: () => number, ids: readonly unknown[]): Filter {
  const { int } = generator(rand);
  const parts = Array.from({ length: 1 + int(3) }, () => makeCondition(rand, ids));
  let filter: Filter;
  switch (int(4)) {
    case 0:
      filter = { $and: parts };
      break;
    case 1:
      filter = { ...parts[0], $or: parts.slice(1).concat([{ b: 'x' }]) };
      break;
    default:
      filter = Object.assign({}, ...parts) as Filter;
  }
  return toEngine(filter);
}

const INDEXES: IndexSpec[] = [
  { v: 2, key: { a: 1 }, name: 'a_1' },
  { v: 2, key: { a: 1, b: -1 }, name: 'a_1_b_-1' },
  { v: 2, key: { b: 1, a: 1 }, name: 'b_1_a_1' },
  { v: 2, key: { 'n.b': 1 }, name: 'n.b_1' },
  { v: 2, key: { tags: 1 }, name: 'tags_1' },
  { v: 2, key: { b: 1 }, name: 'b_sparse', sparse: true },
  { v: 2, key: { a: 1, tags: 1 }, name: 'a_partial', partialFilterExpression: { b: 'x' } },
];

type Outcome = { ids: unknown[] } | { error: string };

function outcome(run: () => Document[]): Outcome {
  try {
    return { ids: run().map((d): unknown => d['_id']) };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return { error: `${String(e.code)} ${String(e.message)}` };
  }
}

describe('query fast paths agree with a scan', () => {
  for (let round = 0; round < ROUNDS; round++) {
    const seed = SEED + round;
    it(`seed ${seed}: candidates, $in sets and limits match a scan in natural order`, () => {
      const rng = new Prng(seed);
      const rand = (): number => rng.next();
      const { int, pick } = generator(rand);
      const coll = new Store().ensure('db', 'c');
      for (const spec of INDEXES) if (int(2) === 0) coll.addIndex(spec);
      for (let i = 0; i < 60; i++) {
        const doc = makeDoc(rand, i);
        if (!coll.getById(doc['_id'])) coll.insert(doc);
      }
      // Updates and removals shuffle the order within index entries away from natural order.
      for (let i = 0; i < 40; i++) {
        const victim = pick([...coll.docs.values()]);
        if (int(4) === 0) coll.remove(victim);
        else coll.replace(victim, { ...makeDoc(rand, 0), _id: victim['_id'] as unknown });
      }
      for (let i = 60; i < 70; i++) coll.insert(makeDoc(rand, 1000 + i));
      const all = [...coll.docs.values()];
      const ids = all.map((d): unknown => d['_id']);
      for (let f = 0; f < FILTERS_PER_ROUND; f++) {
        const filter = makeFilter(rand, ids);
        const label = `filter ${JSON.stringify(filter)}`;
        const limit = int(3) === 0 ? 1 + int(3) : 0;
        const got = outcome(() => coll.match(filter, limit));
        const scan = outcome(() => {
          const compiled = compileFilter(filter);
          const out = all.filter((d) => compiled.test(d));
          return limit > 0 ? out.slice(0, limit) : out;
        });
        assert.deepEqual(got, scan, label);
        if ('error' in scan) continue;
        const reference = new Query(filter, { context: REFERENCE_CONTEXT, idKey: '_id' });
        const want = all.filter((d) => reference.test(d));
        assert.deepEqual(
          got,
          { ids: (limit > 0 ? want.slice(0, limit) : want).map((d): unknown => d['_id']) },
          label,
        );
      }
    });
  }

  it('returns $in on _id in natural order, not in the order of the list', () => {
    const coll = new Store().ensure('db', 'c');
    for (const id of [5, 3, 9, 1]) coll.insert({ _id: id });
    assert.deepEqual(
      coll.match({ _id: { $in: [1, 9, 3, 5, 7] } }).map((d): unknown => d['_id']),
      [5, 3, 9, 1],
    );
  });

  it('returns index candidates in natural order after updates reorder the index entry', () => {
    const coll = new Store().ensure('db', 'c');
    coll.addIndex({ v: 2, key: { s: 1 }, name: 's_1' });
    for (let i = 0; i < 100; i++) coll.insert({ _id: i, s: 'a' });
    // Moving _id 0 out of and back into 'a' puts it last in the index's set for 'a'.
    coll.replace(coll.getById(0)!, { _id: 0, s: 'b' });
    coll.replace(coll.getById(0)!, { _id: 0, s: 'a' });
    coll.replace(coll.getById(1)!, { _id: 1, s: 'b' });
    assert.deepEqual(
      coll.match({ s: { $in: ['b', 'c'] } }).map((d): unknown => d['_id']),
      [1],
    );
    assert.deepEqual(
      coll.match({ s: 'a' }, 3).map((d): unknown => d['_id']),
      [0, 2, 3],
    );
  });

  it('answers $in on an index by lookup: 1,000 listed values over 10,000 documents', () => {
    const coll = new Store().ensure('db', 'c');
    coll.addIndex({ v: 2, key: { s: 1, at: 1 }, name: 's_1_at_1' });
    for (let i = 0; i < 10_000; i++) coll.insert({ _id: `f${i}`, s: `s${i % 2000}`, at: i });
    const sessions = Array.from({ length: 1000 }, (_, i) => `s${i * 2}`);
    const found = coll.candidates({ s: { $in: sessions } });
    assert.equal([...found.docs].length, 5000, 'only the listed sessions are candidates');
    const ids = Array.from({ length: 1000 }, (_, i) => `f${i * 10}`);
    assert.equal(coll.match({ _id: { $in: ids }, s: { $in: sessions } }).length, 1000);
  });
});
