import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MongoClient } from 'mongodb';
import { randomSuffix, startTestBackends, type TestBackends } from './backends.js';
import { targetOf } from './fault-proxy.js';
import { MessageSplitter, opMsgCommand, startMongoTap, type MongoTap } from './mongo-tap.js';

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
