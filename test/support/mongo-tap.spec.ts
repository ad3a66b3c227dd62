import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BSON, MongoClient } from 'mongodb';
import { randomSuffix, startTestBackends, type TestBackends } from './backends.js';
import { targetOf } from './fault-proxy.js';
import {
  MessageSplitter,
  opMsgCommand,
  opMsgDocument,
  startMongoTap,
  type MongoTap,
} from './mongo-tap.js';
import { changeOf, describeWrite, filtersOf } from './mongo-tap-outcomes.js';

/** An OP_MSG carrying `body` (raw BSON) as its kind-0 section. */
function opMsg(body: Buffer, requestId = 1): Buffer {
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(header.length + body.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(2013, 12);
  return Buffer.concat([header, body]);
}

/** BSON `{ <name>: <string value> }`. */
function bsonString(name: string, value: string): Buffer {
  const v = Buffer.from(value);
  const element = Buffer.concat([
    Buffer.from([0x02]),
    Buffer.from(`${name}\0`),
    Buffer.from(new Int32Array([v.length + 1]).buffer),
    v,
    Buffer.from([0]),
  ]);
  const doc = Buffer.alloc(4);
  doc.writeInt32LE(4 + element.length + 1, 0);
  return Buffer.concat([doc, element, Buffer.from([0])]);
}

// The driver's server monitor sends these on its own schedule, between any two operations.
const MONITORING = new Set(['hello', 'isMaster', 'ismaster', 'op_query']);

describe('MongoDB tap', () => {
  let backends: TestBackends;
  let tap: MongoTap;
  let client: MongoClient;

  before(async () => {
    backends = await startTestBackends();
    tap = await startMongoTap(targetOf(backends.mongoUri));
    client = new MongoClient(tap.uri(`tap_${randomSuffix()}`));
    await client.connect();
  });
  after(async () => {
    await client?.close();
    await tap?.close();
    await backends?.stop();
  });

  it('records each command and its collection; writesSince lists the writes only', async () => {
    const db = client.db();
    const since = Date.now();
    // 2 MiB: the insert crosses many TCP chunks and must be reassembled.
    await db.collection('a').insertOne({ blob: 'x'.repeat(2 * 1024 * 1024) });
    await db
      .collection<{ _id: string; n: number }>('b')
      .findOneAndUpdate({ _id: 'k' }, { $set: { n: 1 } }, { upsert: true });
    assert.deepEqual(await db.collection('c').find({}).toArray(), []);

    const seen = tap.commands
      .filter((c) => c.at >= since && !MONITORING.has(c.command))
      .map(({ command, collection }) => ({ command, collection }));
    assert.deepEqual(seen, [
      { command: 'insert', collection: 'a' },
      { command: 'findAndModify', collection: 'b' },
      { command: 'find', collection: 'c' },
    ]);
    assert.deepEqual(
      tap.writesSince(since).map(({ command, collection }) => ({ command, collection })),
      [
        { command: 'insert', collection: 'a' },
        { command: 'findAndModify', collection: 'b' },
      ],
    );
    assert.deepEqual(tap.writesSince(Date.now() + 1000), []);
  });

  it('records the connection handshake (legacy OP_QUERY hello, or OP_MSG hello)', () => {
    const first = tap.commands[0];
    assert.ok(
      first?.command === 'op_query' || first?.command === 'hello' || first?.command === 'ismaster',
      JSON.stringify(first),
    );
  });

  it('an aggregate with $merge is a write, one without is not', async () => {
    const db = client.db();
    const since = Date.now();
    await db
      .collection('c')
      .aggregate([{ $match: {} }])
      .toArray();
    await db
      .collection('c')
      .aggregate([{ $match: {} }, { $merge: { into: 'd' } }])
      .toArray()
      .catch(() => undefined); // whether the server supports $merge is not the point
    const aggregates = tap.commands.filter((c) => c.at >= since && c.command === 'aggregate');
    assert.equal(aggregates.length, 2);
    assert.deepEqual(tap.writesSince(since), [aggregates[1]]);
  });

  it('pairs each write with its reply: changesSince keeps those that changed something', async () => {
    const c = client.db().collection<{ _id: string; n: number }>('outcomes');
    await c.insertOne({ _id: 'a', n: 1 });
    const since = Date.now();
    const past = { $lt: ['$$NOW', new Date(Date.now() - 60_000)] };
    const future = { $lt: ['$$NOW', new Date(Date.now() + 60_000)] };
    // Each write, then whether the server changed something.
    const steps: [string, () => Promise<unknown>, boolean][] = [
      ['insert', () => c.insertOne({ _id: 'b', n: 1 }), true],
      ['insert a duplicate', () => c.insertOne({ _id: 'a', n: 9 }).catch(() => undefined), false],
      ['update no match', () => c.updateOne({ _id: 'zz' }, { $set: { n: 2 } }), false],
      ['update to the same value', () => c.updateOne({ _id: 'a' }, { $set: { n: 1 } }), false],
      ['update', () => c.updateOne({ _id: 'a' }, { $set: { n: 2 } }), true],
      ['update past its deadline', () => c.updateMany({ $expr: past }, { $inc: { n: 1 } }), false],
      ['update ahead of it', () => c.updateMany({ $expr: future }, { $inc: { n: 1 } }), true],
      ['upsert', () => c.updateOne({ _id: 'u' }, { $set: { n: 1 } }, { upsert: true }), true],
      [
        'findAndModify no match',
        () => c.findOneAndUpdate({ _id: 'zz' }, { $set: { n: 3 } }),
        false,
      ],
      ['findAndModify', () => c.findOneAndUpdate({ _id: 'a' }, { $set: { n: 3 } }), true],
      ['findAndModify remove late', () => c.findOneAndDelete({ _id: 'a', $expr: past }), false],
      ['findAndModify remove', () => c.findOneAndDelete({ _id: 'u' }), true],
      ['delete no match', () => c.deleteOne({ _id: 'zz' }), false],
      ['delete past its deadline', () => c.deleteMany({ $expr: past }), false],
      ['delete', () => c.deleteMany({ _id: { $in: ['a', 'b'] } }), true],
    ];
    for (const [, run] of steps) await run();

    const writes = tap.writesSince(since);
    assert.deepEqual(tap.unansweredSince(since), [], 'every write answered');
    assert.equal(writes.length, steps.length, writes.map(describeWrite).join('\n'));
    const judged = writes.map((w, i) => [steps[i]?.[0], changeOf(w)]);
    assert.deepEqual(
      judged,
      steps.map(([name, , changed]) => [name, changed ? 'changed' : 'unchanged']),
    );
    assert.deepEqual(
      tap.changesSince(since),
      writes.filter((_w, i) => steps[i]?.[2] === true),
    );

    // What the reply said, as recorded.
    const [insert, duplicate, , same, , late, , upsert, famMiss, fam] = writes;
    assert.equal(insert?.reply?.n, 1);
    assert.equal(duplicate?.reply?.n, 0);
    assert.equal(duplicate?.reply?.writeErrors?.[0]?.code, 11000);
    assert.deepEqual([same?.reply?.n, same?.reply?.nModified], [1, 0]);
    assert.deepEqual([late?.reply?.n, late?.reply?.nModified], [0, 0]);
    assert.equal(upsert?.reply?.upserted, 1);
    assert.deepEqual([famMiss?.reply?.lastErrorObject?.n, famMiss?.reply?.value], [0, null]);
    assert.equal(fam?.reply?.lastErrorObject?.n, 1);
    assert.deepEqual(fam?.reply?.value, { _id: 'a', n: 3 }, 'the document before the update');
    // The filter as sent, deadline included, to name a write that changed what it should not.
    assert.ok(late !== undefined);
    assert.deepEqual(filtersOf(late), [{ $expr: past }]);
    assert.match(describeWrite(late), /^update outcomes filter .*\$\$NOW.* → .*"nModified":0/);
  });

  it('a write that expects no reply (w: 0) counts as a change: the tap cannot vouch for it', async () => {
    const c = client.db().collection('unacknowledged');
    const since = Date.now();
    await c.insertOne({ x: 1 }, { writeConcern: { w: 0 } });
    // A round trip after it: by then the insert's bytes have passed the tap.
    await c.countDocuments();
    const [write] = tap.writesSince(since);
    assert.equal(write?.command, 'insert');
    assert.equal(changeOf(write), 'unknown');
    assert.deepEqual(tap.changesSince(since), [write]);
    assert.deepEqual(tap.unansweredSince(since), [write]);
  });

  it('reads a command document with its document sequences folded in', () => {
    const body = BSON.serialize({ insert: 'files', $db: 'x' });
    const docs = [BSON.serialize({ _id: 1 }), BSON.serialize({ _id: 2 })];
    const id = Buffer.from('documents\0');
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + id.length + docs[0].length + docs[1].length, 0);
    const frame = opMsg(Buffer.concat([body, Buffer.from([1]), size, id, ...docs]));
    assert.deepEqual(opMsgDocument(frame), {
      insert: 'files',
      $db: 'x',
      documents: [{ _id: 1 }, { _id: 2 }],
    });
    assert.equal(opMsgDocument(opMsg(Buffer.from([5, 0, 0]))), null, 'a truncated body');
  });

  it('reassembles messages however the stream is cut', () => {
    const frames = [opMsg(bsonString('insert', 'files')), opMsg(bsonString('find', 'sessions'))];
    const stream = Buffer.concat(frames);
    const got: string[] = [];
    const splitter = new MessageSplitter((frame) => {
      const parsed = opMsgCommand(frame);
      got.push(`${parsed?.command ?? '?'}/${parsed?.collection ?? ''}`);
    });
    for (let i = 0; i < stream.length; i++) splitter.push(stream.subarray(i, i + 1));
    assert.deepEqual(got, ['insert/files', 'find/sessions']);
  });
});
