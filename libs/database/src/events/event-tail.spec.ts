// The live-updates tail against MongoDB (the devstack, or MONGODB_URI): one query for many
// sessions, each from its own cursor; a gap where an event is not copied yet, filled by a flush.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDatabaseFixture, type DatabaseFixture } from '../../test/database-fixture.js';
import { event, newSession } from '../../test/session-repositories.js';
import { SessionDatabaseModule } from '../sessions/session-database.module.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { EventTail } from './event-tail.js';
import { EventTailModule } from './event-tail.module.js';

describe('EventTail against MongoDB', () => {
  let fixture: DatabaseFixture;
  let sessions: SessionRepository;
  let tail: EventTail;

  before(async () => {
    fixture = await startDatabaseFixture('events-tail', [SessionDatabaseModule, EventTailModule]);
    sessions = fixture.moduleRef.get(SessionRepository);
    tail = fixture.moduleRef.get(EventTail);
  });
  after(async () => {
    await fixture.close();
  });

  /** A session with `count` events (created + renames). */
  const sessionWith = async (count: number): Promise<string> => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    for (let i = 1; i < count; i += 1) {
      await sessions.recordEvent(input.ownerId, input.id, new Date(), event('session.renamed'));
    }
    return input.id;
  };

  it('reads several sessions at once, each after its own cursor, sorted by session then seq, within the limit', async () => {
    const [a, b, c] = await Promise.all([sessionWith(4), sessionWith(3), sessionWith(2)]);
    const ids = [a, b, c].sort();
    const read = await tail.read(
      [
        { sessionId: a, after: 2 },
        { sessionId: b, after: 0 },
        { sessionId: c, after: 2 },
      ],
      100,
    );
    const expected = ids.flatMap((id) =>
      id === a
        ? [
            [a, 3],
            [a, 4],
          ]
        : id === b
          ? [
              [b, 1],
              [b, 2],
              [b, 3],
            ]
          : [],
    );
    assert.deepEqual(
      read.map((e) => [e.sessionId, e.seq]),
      expected,
    );
    const limited = await tail.read([{ sessionId: b, after: 0 }], 2);
    assert.deepEqual(
      limited.map((e) => e.seq),
      [1, 2],
    );
    assert.deepEqual(await tail.read([], 10), []);
  });

  it('shows a gap where a committed event is not copied yet, and flushPending fills it', async () => {
    const id = await sessionWith(1);
    // What a crash between the update and the copy leaves: seq 2 only in the outbox.
    await fixture.connection.collection<{ _id: string }>('sessions').updateOne(
      { _id: id },
      {
        $inc: { seq: 1 },
        $push: { outbox: { id: 'crashed', type: 'session.renamed', at: new Date(), data: {} } },
      },
    );
    await fixture.connection
      .collection('events')
      .insertOne({ sessionId: id, seq: 3, type: 'session.renamed', at: new Date(), data: {} });
    const before = await tail.read([{ sessionId: id, after: 0 }], 10);
    assert.deepEqual(
      before.map((e) => e.seq),
      [1, 3],
    );
    await tail.flushPending(id);
    const afterFlush = await tail.read([{ sessionId: id, after: 0 }], 10);
    assert.deepEqual(
      afterFlush.map((e) => e.seq),
      [1, 2, 3],
    );
  });
});
