import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BSON, Decimal128, Double, Int32, Long, type Document } from 'bson';
import { cloneValue, toEngine, withIdFirst } from './values.js';
import { compareValues, sortDocuments } from './compare.js';
import { applyUpdate, parseUpdate, seedFromFilter, upsertDocument } from './update.js';

const roundTrip = (doc: Document): Document =>
  BSON.deserialize(BSON.serialize(doc), { promoteValues: false });

describe('engine value model', () => {
  it('turns every numeric type into a number and restores its BSON type on the wire', () => {
    const doc = toEngine({
      i: new Int32(7),
      d: new Double(5),
      z: new Double(-0),
      f: new Double(2.5),
      l: Long.fromNumber(3),
      big: Long.fromString('9007199254740993'),
      dec: Decimal128.fromString('1.10'),
      nested: { d: new Double(1) },
      arr: [new Double(2), new Int32(2)],
    });
    assert.equal(doc['i'], 7);
    assert.equal(doc['d'], 5);
    assert.equal(doc['dec'], 1.1);
    const wire = roundTrip(doc);
    assert.ok(wire['i'] instanceof Int32);
    assert.ok(wire['d'] instanceof Double && wire['d'].value === 5);
    assert.ok(wire['z'] instanceof Double && Object.is(wire['z'].value, -0));
    assert.ok(wire['f'] instanceof Double);
    assert.ok(wire['l'] instanceof Long);
    assert.equal(String(wire['big']), '9007199254740993');
    assert.equal(String(wire['dec']), '1.10');
    assert.ok((wire['nested'] as Document)['d'] instanceof Double);
    const arr = wire['arr'] as unknown[];
    assert.ok(arr[0] instanceof Double && arr[1] instanceof Int32);
  });

  it('keeps types through clones and _id reordering', () => {
    const doc = toEngine({ a: new Double(1), _id: 1 });
    const wire = roundTrip(withIdFirst(cloneValue(doc)));
    assert.deepEqual(Object.keys(wire), ['_id', 'a']);
    assert.ok(wire['a'] instanceof Double);
  });

  it('compares mixed numeric types by value and other types by BSON order', () => {
    assert.equal(compareValues(2, Long.fromNumber(2)), 0);
    assert.ok(
      compareValues(Long.fromString('9007199254740993'), Long.fromString('9007199254740992')) > 0,
    );
    assert.ok(compareValues(null, 0) < 0);
    assert.ok(compareValues(99, 'a') < 0);
    assert.ok(compareValues('z', {}) < 0);
    assert.ok(compareValues(true, new Date(0)) < 0);
    const sorted = sortDocuments([{ v: 'b' }, { v: 3 }, { v: null }, { v: [1, 9] }], [['v', -1]]);
    assert.deepEqual(
      sorted.map((d) => d.v),
      ['b', [1, 9], 3, null],
    );
  });
});

describe('updates', () => {
  it('applies $inc with MongoDB result types and keeps the original untouched', () => {
    const doc = toEngine({ _id: 1, i: new Int32(2147483647), d: new Double(1), n: 1 });
    const spec = parseUpdate(
      toEngine({ $inc: { i: new Int32(1), d: new Int32(1), n: new Double(0.5) } }),
    );
    const { doc: next, changed } = applyUpdate(doc, spec, { isInsert: false });
    assert.equal(changed, true);
    assert.equal(doc['i'], 2147483647);
    const wire = roundTrip(next);
    assert.ok(wire['i'] instanceof Long, 'int32 overflow widens to long');
    assert.ok(wire['d'] instanceof Double && wire['d'].value === 2);
    assert.ok(wire['n'] instanceof Double && wire['n'].value === 1.5);
  });

  it('reports no change when $set writes the same value', () => {
    const doc = { _id: 1, a: 'x' };
    assert.equal(
      applyUpdate(doc, parseUpdate({ $set: { a: 'x' } }), { isInsert: false }).changed,
      false,
    );
  });

  it('refuses unknown modifiers, conflicting paths and _id changes with MongoDB codes', () => {
    assert.throws(() => parseUpdate({ $foo: { a: 1 } }), { code: 9 });
    assert.throws(() => parseUpdate({ $set: { a: 1 }, $inc: { 'a.b': 1 } }), { code: 40 });
    assert.throws(() => parseUpdate([{ $set: { a: 1 } }]), { code: 238 });
    assert.throws(
      () => applyUpdate({ _id: 1 }, parseUpdate({ $set: { _id: 2 } }), { isInsert: false }),
      { code: 66 },
    );
    assert.throws(
      () => applyUpdate({ _id: 1, s: 'x' }, parseUpdate({ $inc: { s: 1 } }), { isInsert: false }),
      { code: 14 },
    );
  });

  it('seeds upserts from equalities only, then applies $setOnInsert', () => {
    assert.deepEqual(seedFromFilter({ a: 1, 'b.c': 'x', d: { $gt: 1 }, e: { $eq: 2 } }), {
      a: 1,
      b: { c: 'x' },
      e: 2,
    });
    const doc = upsertDocument(
      { email: 'a@b.c' },
      parseUpdate({ $inc: { n: 1 }, $setOnInsert: { created: true } }),
    );
    assert.equal(Object.keys(doc)[0], '_id');
    assert.equal(doc['email'], 'a@b.c');
    assert.equal(doc['n'], 1);
    assert.equal(doc['created'], true);
  });
});
