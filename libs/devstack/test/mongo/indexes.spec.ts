// Unique, compound, sparse and TTL indexes; duplicate-key errors as the driver and Mongoose
// surface them; listIndexes fidelity so Mongoose's syncIndexes() is idempotent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Document } from 'mongodb';
import { Schema } from 'mongoose';
import {
  indexesOf,
  openTarget,
  rejection,
  usingRealMongo,
  waitFor,
  type Target,
} from './support.js';

let t: Target;
before(async () => {
  t = await openTarget('indexes');
});
after(async () => {
  await t.close();
});

const userSchema = (): Schema =>
  new Schema({ email: { type: String, unique: true }, name: String });

describe('unique indexes and E11000', () => {
  it('Mongoose create() of a duplicate fails with 11000, keyPattern and keyValue', async () => {
    const conn = await t.mongoose();
    const User = conn.model('User', userSchema(), 'users_create');
    await User.createIndexes();
    await User.create({ email: 'a@x.io', name: 'first' });
    const err = await rejection(User.create({ email: 'a@x.io', name: 'second' }));
    assert.equal(err.code, 11000);
    assert.deepEqual(err.keyPattern, { email: 1 });
    assert.deepEqual(err.keyValue, { email: 'a@x.io' });
    assert.match(String(err.message), /E11000 duplicate key error.*email_1/);
    assert.equal(await User.countDocuments(), 1);
  });

  it('ordered insertMany stops at the first duplicate; earlier docs stay', async () => {
    const conn = await t.mongoose();
    const User = conn.model('UserOrdered', userSchema(), 'users_ordered');
    await User.createIndexes();
    const err = await rejection(
      User.insertMany([
        { email: 'a', name: '0' },
        { email: 'b', name: '1' },
        { email: 'a', name: '2' },
        { email: 'c', name: '3' },
      ]),
    );
    assert.equal(err.code, 11000);
    const writeErrors = err.writeErrors as { index: number; code: number; errmsg: string }[];
    assert.deepEqual(
      writeErrors.map((e) => [e.index, e.code]),
      [[2, 11000]],
    );
    // The driver keeps no keyPattern/keyValue for bulk write errors: the message carries them.
    assert.match(
      writeErrors[0]?.errmsg ?? '',
      /E11000 duplicate key error.*email_1 dup key: \{ email: "a" \}/,
    );
    const names = (await User.find().sort({ name: 1 }).lean()).map((u) => u.name);
    assert.deepEqual(names, ['0', '1']);
  });

  it('unordered insertMany inserts every non-duplicate and reports each duplicate', async () => {
    const conn = await t.mongoose();
    const User = conn.model('UserUnordered', userSchema(), 'users_unordered');
    await User.createIndexes();
    const err = await rejection(
      User.insertMany(
        [
          { email: 'a', name: '0' },
          { email: 'a', name: '1' },
          { email: 'b', name: '2' },
          { email: 'b', name: '3' },
          { email: 'c', name: '4' },
        ],
        { ordered: false },
      ),
    );
    assert.equal(err.code, 11000);
    const writeErrors = err.writeErrors as { index: number; code: number; errmsg: string }[];
    assert.deepEqual(
      writeErrors.map((e) => e.index),
      [1, 3],
    );
    assert.match(writeErrors[1]?.errmsg ?? '', /dup key: \{ email: "b" \}/);
    const names = (await User.find().sort({ name: 1 }).lean()).map((u) => u.name);
    assert.deepEqual(names, ['0', '2', '4']);
  });

  it('compound unique: the pair must be unique, each field alone need not be', async () => {
    const c = t.db.collection('members');
    await c.createIndex({ tenant: 1, email: 1 }, { unique: true });
    await c.insertMany([
      { tenant: 't1', email: 'a' },
      { tenant: 't2', email: 'a' },
      { tenant: 't1', email: 'b' },
    ]);
    const err = await rejection(c.insertOne({ tenant: 't1', email: 'a' }));
    assert.equal(err.code, 11000);
    assert.deepEqual(err.keyPattern, { tenant: 1, email: 1 });
    assert.deepEqual(err.keyValue, { tenant: 't1', email: 'a' });
  });

  it('findOneAndUpdate with upsert that would duplicate a key fails with 11000', async () => {
    const conn = await t.mongoose();
    const User = conn.model('UserUpsert', userSchema(), 'users_upsert');
    await User.createIndexes();
    await User.create({ email: 'taken', name: 'owner' });
    const err = await rejection(
      User.findOneAndUpdate(
        { name: 'newcomer' },
        { $set: { email: 'taken' } },
        { upsert: true, returnDocument: 'after' },
      ).exec(),
    );
    assert.equal(err.code, 11000);
    assert.deepEqual(err.keyPattern, { email: 1 });
    assert.deepEqual(err.keyValue, { email: 'taken' });
    assert.equal(await User.countDocuments(), 1, 'nothing was inserted');
  });

  it('an upsert whose filter misses an existing _id fails with 11000 on _id (lease taken)', async () => {
    // Leases: take the lease if it expired, or create it; a live lease makes the upsert collide.
    const c = t.db.collection('leases');
    const now = new Date();
    await c.insertOne({
      _id: 'cleanup',
      owner: 'w1',
      expiresAt: new Date(now.getTime() + 60_000),
    } as Document);
    const err = await rejection(
      c.findOneAndUpdate(
        { _id: 'cleanup', expiresAt: { $lt: now } } as Document,
        { $set: { owner: 'w2', expiresAt: new Date(now.getTime() + 60_000) } },
        { upsert: true, returnDocument: 'after' },
      ),
    );
    assert.equal(err.code, 11000);
    assert.deepEqual(err.keyPattern, { _id: 1 });
    assert.deepEqual(err.keyValue, { _id: 'cleanup' });
    assert.equal((await c.findOne({ _id: 'cleanup' } as Document))?.owner, 'w1');
  });

  it('an update that would duplicate a key fails and leaves the document unchanged', async () => {
    const c = t.db.collection('users_upsert');
    await c.insertOne({ email: 'free', name: 'other' });
    const err = await rejection(c.updateOne({ email: 'free' }, { $set: { email: 'taken' } }));
    assert.equal(err.code, 11000);
    assert.equal(await c.countDocuments({ email: 'free' }), 1);
  });

  it('missing fields collide as null unless the index is sparse', async () => {
    const dense = t.db.collection('dense');
    await dense.createIndex({ code: 1 }, { unique: true });
    await dense.insertOne({ a: 1 });
    const err = await rejection(dense.insertOne({ a: 2 }));
    assert.equal(err.code, 11000);
    assert.deepEqual(err.keyValue, { code: null });

    const sparse = t.db.collection('sparse');
    await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ a: 1 }, { a: 2 }, { code: 'x' }]);
    await assert.rejects(sparse.insertOne({ code: 'x' }), { code: 11000 });
  });

  it('a partial unique index only constrains matching documents', async () => {
    const c = t.db.collection('partial');
    await c.createIndex(
      { email: 1 },
      { unique: true, partialFilterExpression: { active: { $eq: true } } },
    );
    await c.insertMany([
      { email: 'a', active: false },
      { email: 'a', active: false },
      { email: 'a', active: true },
    ]);
    await assert.rejects(c.insertOne({ email: 'a', active: true }), { code: 11000 });
  });

  it('building a unique index over existing duplicates fails with 11000', async () => {
    const c = t.db.collection('predup');
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    await assert.rejects(c.createIndex({ k: 1 }, { unique: true }), { code: 11000 });
    const names = [...(await indexesOf(c)).keys()];
    assert.deepEqual(names, ['_id_']);
  });
});

describe('index management', () => {
  it('listIndexes echoes key, name and options', async () => {
    const c = t.db.collection('echo');
    await c.createIndex({ a: 1, b: -1 }, { unique: true, name: 'ab' });
    await c.createIndex({ exp: 1 }, { expireAfterSeconds: 3600 });
    await c.createIndex({ s: 1 }, { sparse: true });
    await c.createIndex({ p: 1 }, { partialFilterExpression: { p: { $exists: true } } });
    const byName = await indexesOf(c);
    assert.deepEqual([...byName.keys()].sort(), ['_id_', 'ab', 'exp_1', 'p_1', 's_1']);
    assert.deepEqual(byName.get('_id_')?.key, { _id: 1 });
    const ab = byName.get('ab');
    assert.deepEqual(ab?.key, { a: 1, b: -1 });
    assert.equal(ab?.unique, true);
    assert.equal(ab?.v, 2);
    assert.equal(byName.get('exp_1')?.expireAfterSeconds, 3600);
    assert.equal(byName.get('s_1')?.sparse, true);
    assert.deepEqual(byName.get('p_1')?.partialFilterExpression, { p: { $exists: true } });
  });

  it('re-creating an index is a no-op; same name with other options is refused (85/86)', async () => {
    const c = t.db.collection('echo');
    assert.equal(await c.createIndex({ a: 1, b: -1 }, { unique: true, name: 'ab' }), 'ab');
    await assert.rejects(c.createIndex({ exp: 1 }, { expireAfterSeconds: 60 }), (err: Document) => {
      assert.ok(err.code === 85 || err.code === 86, `code ${String(err.code)}`);
      return true;
    });
  });

  it('dropIndex removes an index; dropping a missing one fails with IndexNotFound (27)', async () => {
    const c = t.db.collection('echo');
    await c.dropIndex('s_1');
    const names = [...(await indexesOf(c)).keys()];
    assert.ok(!names.includes('s_1'));
    await assert.rejects(c.dropIndex('s_1'), { code: 27 });
  });

  it('Mongoose syncIndexes() run twice creates and drops nothing the second time', async () => {
    const makeSchema = (withCompound: boolean): Schema => {
      const schema = new Schema({
        email: { type: String, unique: true },
        tenant: String,
        slug: String,
        expiresAt: { type: Date, expires: 3600 },
        code: { type: String, sparse: true, unique: true },
        state: String,
      });
      if (withCompound) {
        schema.index({ tenant: 1, slug: 1 }, { unique: true });
        schema.index(
          { tenant: 1, state: 1 },
          { partialFilterExpression: { state: { $in: ['open', 'pending'] } } },
        );
      }
      return schema;
    };
    const conn = await t.mongoose();
    const M = conn.model('Synced', makeSchema(true), 'synced');
    assert.deepEqual(await M.syncIndexes(), [], 'a fresh collection has nothing to drop');
    const diff = await M.diffIndexes();
    assert.deepEqual(diff, { toDrop: [], toCreate: [] }, 'the second run would change nothing');
    assert.deepEqual(await M.syncIndexes(), []);
    const names = [...(await indexesOf(M.collection)).keys()];
    assert.deepEqual(names.sort(), [
      '_id_',
      'code_1',
      'email_1',
      'expiresAt_1',
      'tenant_1_slug_1',
      'tenant_1_state_1',
    ]);

    // A schema without the compound indexes makes syncIndexes() drop exactly those two.
    const M2 = conn.model('Synced2', makeSchema(false), 'synced');
    const dropped = await M2.syncIndexes();
    assert.deepEqual([...dropped].sort(), ['tenant_1_slug_1', 'tenant_1_state_1']);
  });
});

describe('several replicas starting at once', () => {
  it('concurrent autoCreate/autoIndex of the same model all succeed, indexes exist once', async () => {
    const schema = (): Schema => {
      const s = new Schema({ email: { type: String, unique: true }, tenant: String, at: Date });
      s.index({ tenant: 1, at: -1 });
      return s;
    };
    // What every app replica does at startup (libs/database: autoCreate + autoIndex).
    const conns = await Promise.all(
      [1, 2, 3, 4, 5].map(() => t.mongoose({ autoCreate: true, autoIndex: true })),
    );
    await Promise.all(conns.map((conn) => conn.model('Replica', schema(), 'replicas').init()));
    const names = [...(await indexesOf(t.db.collection('replicas'))).keys()].sort();
    assert.deepEqual(names, ['_id_', 'email_1', 'tenant_1_at_-1']);
  });
});

describe('TTL indexes', () => {
  // Real mongod's TTL monitor runs every 60 s; the devstack promises a few seconds.
  const deadlineMs = usingRealMongo ? 75_000 : 5_000;

  it('removes a document whose date has passed, keeps the others', async () => {
    const c = t.db.collection('ttl');
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    const now = Date.now();
    await c.insertMany([
      { _id: 'past', expiresAt: new Date(now - 60_000) },
      { _id: 'future', expiresAt: new Date(now + 3_600_000) },
      { _id: 'not-a-date', expiresAt: 'yesterday' },
      { _id: 'no-field' },
      { _id: 'array', expiresAt: [new Date(now + 3_600_000), new Date(now - 60_000)] },
    ] as Document[]);
    const gone = await waitFor(
      async () => (await c.countDocuments({ _id: { $in: ['past', 'array'] } } as Document)) === 0,
      deadlineMs,
    );
    assert.ok(gone, `expired documents still present after ${deadlineMs} ms`);
    const left = (await c.find({}, { sort: { _id: 1 } }).toArray()).map((d) => String(d._id));
    assert.deepEqual(left, ['future', 'no-field', 'not-a-date']);
  });

  it('honours expireAfterSeconds relative to the stored date', async () => {
    const c = t.db.collection('ttl_after');
    await c.createIndex({ createdAt: 1 }, { expireAfterSeconds: 1 });
    await c.insertMany([
      { _id: 'old', createdAt: new Date(Date.now() - 5_000) },
      { _id: 'young', createdAt: new Date(Date.now() + 3_600_000) },
    ] as Document[]);
    const gone = await waitFor(
      async () => (await c.countDocuments({ _id: 'old' } as Document)) === 0,
      deadlineMs,
    );
    assert.ok(gone, 'a document older than expireAfterSeconds was removed');
    assert.equal(await c.countDocuments({ _id: 'young' } as Document), 1);
  });
});
