import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'bson';
import { Query } from 'mingo/query';
import { ENGINE_CONTEXT } from './mingo-context.js';
import { compileSimple } from './simple-match.js';

const id = new ObjectId();
const when = new Date('2026-01-01T00:00:00Z');
const docs: Record<string, unknown>[] = [
  { _id: 1, a: 1, s: 'x', d: when, o: id },
  { _id: 2, a: 2.5, s: 'y', tags: ['x', 'z'], n: { b: 1 } },
  { _id: 3, a: null, tags: [], n: [{ b: 2 }, { b: 3 }] },
  { _id: 4, s: 'x', d: new Date(when.getTime() + 1000), n: { b: null } },
  { _id: 5, a: [1, 7], s: 5, tags: 'x' },
  { _id: 6, a: '1', n: [{ c: 1 }] },
];

// The fast matcher must agree with mingo (our reference for MongoDB semantics) on every filter.
const filters: Record<string, unknown>[] = [
  { a: 1 },
  { a: null },
  { a: { $ne: null } },
  { a: { $eq: 2.5 } },
  { a: { $in: [1, '1', null] } },
  { a: { $gt: 1 } },
  { a: { $gte: 1, $lt: 7 } },
  { s: 'x' },
  { s: { $ne: 'x' } },
  { tags: 'x' },
  { 'n.b': 2 },
  { 'n.b': { $exists: true } },
  { 'n.b': { $exists: false } },
  { d: { $lt: new Date(when.getTime() + 500) } },
  { d: when },
  { o: new ObjectId(id.toHexString()) },
  { $and: [{ s: 'x' }, { d: { $gte: when } }] },
  { 'a.1': 7 },
  { _id: { $in: [2, 4, 9] } },
];

describe('compileSimple', () => {
  for (const filter of filters) {
    it(`agrees with mingo on ${JSON.stringify(filter)}`, () => {
      const fast = compileSimple(filter);
      assert.ok(fast, 'filter should take the fast path');
      const reference = new Query(filter, { context: ENGINE_CONTEXT });
      const got = docs.filter((d) => fast(d)).map((d) => d['_id']);
      const want = docs.filter((d) => reference.test(d)).map((d) => d['_id']);
      assert.deepEqual(got, want);
    });
  }

  it('treats an array of subdocuments without the field as null, like MongoDB', () => {
    const fast = compileSimple({ 'n.b': null })!;
    assert.equal(fast({ n: [{ c: 1 }] }), true);
    assert.equal(fast({ n: [{ b: 1 }] }), false);
    assert.equal(fast({ n: { b: null } }), true);
    assert.equal(fast({ n: [{ c: 1 }, { b: 2 }] }), true);
    const exists = compileSimple({ 'n.b': { $exists: true } })!;
    assert.equal(exists({ n: [{ c: 1 }, { b: 2 }] }), true);
    assert.equal(exists({ n: [{ c: 1 }] }), false);
  });

  it('declines filters it does not implement', () => {
    assert.equal(compileSimple({ $or: [{ a: 1 }] }), undefined);
    assert.equal(compileSimple({ a: { $regex: 'x' } }), undefined);
    assert.equal(compileSimple({ a: { b: 1 } }), undefined);
    assert.equal(compileSimple({ a: { $in: [{ b: 1 }] } }), undefined);
  });
});
