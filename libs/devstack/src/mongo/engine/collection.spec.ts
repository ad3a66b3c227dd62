import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.js';
import { TtlMonitor } from '../indexes/ttl.js';
import type { Document } from 'bson';

function collection(): ReturnType<Store['ensure']> {
  return new Store().ensure('db', 'c');
}

const ids = (docs: Iterable<Document>): unknown[] => [...docs].map((d): unknown => d['_id']);

describe('collection indexes', () => {
  it('answers equality on the leading fields of a compound index without a scan', () => {
    const c = collection();
    c.addIndex({ v: 2, key: { a: 1, b: -1 }, name: 'a_1_b_-1' });
    for (let i = 0; i < 100; i++) c.insert({ _id: i, a: i % 10, b: i });
    assert.deepEqual(ids(c.candidates({ a: 3 }).docs), [3, 13, 23, 33, 43, 53, 63, 73, 83, 93]);
    assert.deepEqual(ids(c.candidates({ a: 3, b: 43 }).docs), [43]);
    assert.deepEqual(ids(c.match({ a: 3, b: { $gt: 50 } })), [53, 63, 73, 83, 93]);
    c.remove(c.getById(43)!);
    assert.deepEqual(ids(c.candidates({ a: 3, b: 43 }).docs), []);
    assert.equal([...c.candidates({ a: 3 }).docs].length, 9);
  });

  it('enforces unique, sparse and partial indexes', () => {
    const c = collection();
    c.addIndex({ v: 2, key: { email: 1 }, name: 'email_1', unique: true, sparse: true });
    c.addIndex({
      v: 2,
      key: { code: 1 },
      name: 'code_1',
      unique: true,
      partialFilterExpression: { live: true },
    });
    c.insert({ _id: 1, email: 'a@b.c' });
    c.insert({ _id: 2 });
    c.insert({ _id: 3 }); // sparse: two documents without email are fine
    assert.throws(() => c.insert({ _id: 4, email: 'a@b.c' }), {
      code: 11000,
      message:
        'E11000 duplicate key error collection: db.c index: email_1 dup key: { email: "a@b.c" }',
    });
    c.insert({ _id: 5, code: 'x', live: false });
    c.insert({ _id: 6, code: 'x', live: true });
    assert.throws(() => c.insert({ _id: 7, code: 'x', live: true }), { code: 11000 });
    assert.equal(c.getById(7), undefined, 'a refused insert leaves nothing behind');
    assert.throws(() => c.replace(c.getById(5)!, { _id: 5, code: 'x', live: true }), {
      code: 11000,
    });
    assert.equal(c.getById(5)!['live'], false, 'a refused update leaves the document as it was');
  });

  it('refuses to build a unique index over duplicates and treats identical specs as no-ops', () => {
    const c = collection();
    c.insert({ _id: 1, a: 1 });
    c.insert({ _id: 2, a: 1 });
    assert.throws(() => c.addIndex({ v: 2, key: { a: 1 }, name: 'a_1', unique: true }), {
      code: 11000,
    });
    assert.equal(c.indexes.length, 0);
    assert.equal(c.addIndex({ v: 2, key: { a: 1 }, name: 'a_1' }), true);
    assert.equal(c.addIndex({ v: 2, key: { a: 1 }, name: 'a_1' }), false);
    assert.throws(() => c.addIndex({ v: 2, key: { b: 1 }, name: 'a_1' }), { code: 86 });
    assert.throws(() => c.addIndex({ v: 2, key: { a: 1 }, name: 'a_1', unique: true }), {
      code: 85,
    });
  });

  it('expires TTL documents by their earliest date', () => {
    const store = new Store();
    const c = store.ensure('db', 'sessions');
    c.addIndex({ v: 2, key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 });
    const now = Date.now();
    c.insert({ _id: 'old', at: new Date(now - 120_000) });
    c.insert({ _id: 'new', at: new Date(now) });
    c.insert({ _id: 'mixed', at: [new Date(now), new Date(now - 61_000)] });
    c.insert({ _id: 'notDate', at: 'yesterday' });
    assert.equal(new TtlMonitor(store, 1000).sweep(now), 2);
    assert.deepEqual(ids(c.docs.values()), ['new', 'notDate']);
  });
});
