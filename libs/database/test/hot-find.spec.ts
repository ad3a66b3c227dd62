import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandStartedEvent } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import {
  startTestBackends,
  randomSuffix,
  type TestBackends,
} from '../../../test/support/backends.js';
import { hotFindById } from '../src/repository/hot-collection.js';

interface Doc {
  _id: string;
  name: string;
  secret?: string;
}

const schema = new Schema<Doc>(
  { _id: String, name: String, secret: String },
  { versionKey: false, autoCreate: false, autoIndex: false },
);

describe('hotFindById against MongoDB', () => {
  let backends: TestBackends;
  let uri: string;

  before(async () => {
    backends = await startTestBackends();
    uri = `${backends.mongoUri}/sx_hot_${randomSuffix()}?monitorCommands=true`;
    const seed = await mongoose.createConnection(uri).asPromise();
    await seed.model('Doc', schema, 'docs').create({ _id: 'a', name: 'first', secret: 's' });
    await seed.close();
  });
  after(async () => {
    await backends.stop();
  });

  it('reads one document by _id in one find command, projected, and null for none', async () => {
    const connection = await mongoose.createConnection(uri).asPromise();
    try {
      const model = connection.model('Doc', schema, 'docs');
      const sent: CommandStartedEvent[] = [];
      const client = connection.getClient();
      const listener = (started: CommandStartedEvent) => sent.push(started);
      client.on('commandStarted', listener);
      const found = await hotFindById<Doc>(model, 'a', { secret: 0 });
      const none = await hotFindById<Doc>(model, 'missing', { secret: 0 });
      client.off('commandStarted', listener);
      assert.deepEqual(found, { _id: 'a', name: 'first' });
      assert.equal(none, null);
      assert.deepEqual(
        sent.map((s) => s.commandName),
        ['find', 'find'],
        'no getMore or killCursors',
      );
      assert.equal(sent[0]?.command.limit, 1);
      assert.equal(sent[0]?.command.singleBatch, true);
    } finally {
      await connection.close();
    }
  });

  it('waits for a connection still opening, as the model does, instead of failing', async () => {
    const connection = mongoose.createConnection(uri);
    try {
      const model = connection.model('Doc', schema, 'docs');
      assert.notEqual(connection.readyState, mongoose.ConnectionStates.connected);
      assert.deepEqual(await hotFindById<Doc>(model, 'a', { secret: 0 }), {
        _id: 'a',
        name: 'first',
      });
    } finally {
      await connection.close();
    }
  });
});
