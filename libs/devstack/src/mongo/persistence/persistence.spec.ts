import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Double, Long, ObjectId } from 'bson';
import { Store } from '../engine/store.js';
import { toEngine } from '../engine/values.js';
import { Persistence } from './persistence.js';
import { decodeRecords, encodeRecord } from './records.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'devstack-mongo-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function open(dir: string): { store: Store; p: Persistence } {
  const store = new Store();
  const p = new Persistence(dir, store);
  p.open();
  return { store, p };
}

describe('journal records', () => {
  it('stops at a torn or corrupt tail', () => {
    const a = encodeRecord({ o: 'dc', ns: 'db.a' });
    const b = encodeRecord({ o: 'dc', ns: 'db.b' });
    const torn = Buffer.concat([a, b.subarray(0, b.length - 3)]);
    assert.equal(decodeRecords(torn).records.length, 1);
    assert.equal(decodeRecords(torn).validLength, a.length);
    const corrupt = Buffer.concat([a, b]);
    corrupt[corrupt.length - 2] ^= 0xff;
    assert.equal(decodeRecords(corrupt).records.length, 1);
  });
});

describe('persistence', () => {
  it('replays documents, deletes, indexes and numeric types after a restart', () => {
    withDir((dir) => {
      const first = open(dir);
      const coll = first.store.ensure('app', 'users');
      coll.addIndex({ v: 2, key: { email: 1 }, name: 'email_1', unique: true });
      first.store.sink.createIndex(coll.ns, coll.indexes[0].spec);
      const id = new ObjectId();
      coll.insert(toEngine({ _id: id, email: 'a@b.c', d: new Double(2), l: Long.fromNumber(9) }));
      coll.insert(toEngine({ _id: 2, email: 'x@y.z' }));
      coll.remove(coll.getById(2)!);
      first.p.close();

      const second = open(dir);
      const again = second.store.get('app', 'users')!;
      assert.equal(again.docs.size, 1);
      assert.equal(again.indexes[0].name, 'email_1');
      assert.throws(() => again.insert({ _id: 3, email: 'a@b.c' }), /E11000/);
      const bytes = Buffer.from(JSON.stringify(again.getById(id)));
      assert.ok(bytes.length > 0);
      const restored = (again.getById(id) as { toBSON(): Record<string, unknown> }).toBSON();
      assert.ok(restored['d'] instanceof Double);
      assert.ok(restored['l'] instanceof Long);
      second.p.close();
    });
  });

  it('tolerates a truncated journal tail (kill -9 mid-write)', () => {
    withDir((dir) => {
      const first = open(dir);
      const coll = first.store.ensure('app', 'items');
      for (let i = 0; i < 10; i++) coll.insert({ _id: i });
      first.p.close();
      const path = join(dir, 'journal.bin');
      const size = statSync(path).size;
      writeFileSync(path, readFileSync(path).subarray(0, size - 4));
      const second = open(dir);
      assert.equal(second.store.get('app', 'items')!.docs.size, 9);
      second.store.get('app', 'items')!.insert({ _id: 100 });
      second.p.close();
      const third = open(dir);
      assert.equal(third.store.get('app', 'items')!.docs.size, 10);
      third.p.close();
    });
  });

  it('refuses a second server on the same data directory until the first closes', () => {
    withDir((dir) => {
      const first = open(dir);
      assert.throws(() => open(dir), /already in use/);
      first.p.close();
      open(dir).p.close();
    });
  });

  it('compaction keeps exactly the live state', () => {
    withDir((dir) => {
      const first = open(dir);
      const coll = first.store.ensure('app', 'c');
      for (let i = 0; i < 50; i++) coll.insert({ _id: i, v: 0 });
      for (let round = 1; round < 5; round++) {
        for (const doc of [...coll.docs.values()])
          coll.replace(doc, { _id: doc['_id'] as number, v: round });
      }
      first.store.drop('app', 'gone');
      first.p.compact();
      first.p.close();
      const second = open(dir);
      const c = second.store.get('app', 'c')!;
      assert.equal(c.docs.size, 50);
      assert.equal(c.getById(7)!['v'], 4);
      second.p.close();
    });
  });
});
