// DBRefs and serverStatus. A DBRef is stored as the document {$ref, $id, $db?}; MongoDB's
// "Database References" page queries it through 'field.$id' / 'field.$ref' or by equality with
// the whole reference. serverStatus is what drivers and tools read version, uptime and
// connection counts from.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DBRef, ObjectId } from 'mongodb';
import { openTarget, type Doc, type Target } from './support.js';

let t: Target;
const alice = new ObjectId('65f0a0a0a0a0a0a0a0a0a0a1');
const bob = new ObjectId('65f0a0a0a0a0a0a0a0a0a0a2');
before(async () => {
  t = await openTarget('references');
  await t.db.collection<Doc>('posts').insertMany([
    { _id: 1, owner: new DBRef('users', alice) },
    { _id: 2, owner: new DBRef('users', bob, 'otherdb') },
    { _id: 3, owner: new DBRef('teams', alice) },
  ]);
});
after(async () => {
  await t.close();
});

const ids = async (filter: Doc): Promise<unknown[]> =>
  (
    await t.db
      .collection<Doc>('posts')
      .find(filter, { sort: { _id: 1 } })
      .toArray()
  ).map((d) => d._id);

describe('DBRef fields in queries', () => {
  it('round-trips as a DBRef', async () => {
    const doc = await t.db.collection<Doc>('posts').findOne({ _id: 2 });
    const ref = doc?.['owner'] as DBRef;
    assert.ok(ref instanceof DBRef);
    assert.equal(ref.collection, 'users');
    assert.equal(ref.db, 'otherdb');
    assert.ok(ref.oid.equals(bob));
  });

  it("matches on 'field.$id', 'field.$ref' and 'field.$db'", async () => {
    assert.deepEqual(await ids({ 'owner.$id': alice }), [1, 3]);
    assert.deepEqual(await ids({ 'owner.$ref': 'users' }), [1, 2]);
    assert.deepEqual(await ids({ 'owner.$ref': 'users', 'owner.$id': alice }), [1]);
    assert.deepEqual(await ids({ 'owner.$db': 'otherdb' }), [2]);
    assert.deepEqual(await ids({ 'owner.$id': { $in: [bob] } }), [2]);
  });

  it('matches a whole DBRef by equality', async () => {
    assert.deepEqual(await ids({ owner: new DBRef('users', alice) }), [1]);
    assert.deepEqual(await ids({ owner: { $in: [new DBRef('teams', alice)] } }), [3]);
  });
});

describe('serverStatus', () => {
  it('reports version, uptime, local time and connections', async () => {
    const status = await t.client.db('admin').command({ serverStatus: 1, repl: 0, metrics: 0 });
    assert.equal(status['ok'], 1);
    assert.match(String(status['version']), /^\d+\.\d+/);
    assert.equal(typeof status['host'], 'string');
    // Seconds and milliseconds of the same process lifetime (MongoDB documents both).
    const uptime = Number(status['uptime']);
    assert.ok(Number.isFinite(uptime), `uptime ${String(status['uptime'])}`);
    assert.ok(Math.abs(uptime - Number(status['uptimeMillis']) / 1000) < 2);
    assert.ok(status['localTime'] instanceof Date);
    const connections = status['connections'] as Record<string, number>;
    assert.ok(connections['current'] >= 1);
    assert.ok(connections['available'] > 0);
    assert.ok(connections['totalCreated'] >= connections['current']);
  });
});
