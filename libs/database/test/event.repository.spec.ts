import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventRepository } from '../src/events/event.repository.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import type { EventRecord } from '../src/sessions/session.types.js';
import {
  event,
  newSession,
  startSessionRepositories,
  type SessionRepositoriesFixture,
} from './session-repositories.js';

const seqs = (list: EventRecord[]): number[] => list.map((e) => e.seq);
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('EventRepository against MongoDB', () => {
  let fixture: SessionRepositoriesFixture;
  let sessions: SessionRepository;
  let events: EventRepository;
  interface RawSession {
    _id: string;
    seq: number;
    outbox: { id: string; type: string; at: Date; data: Record<string, unknown> }[];
  }
  const raw = () => fixture.raw<RawSession>('sessions');

  // A state change that committed while the process died before copying its event: what the
  // repository's update leaves behind, written directly.
  const crashAfterUpdate = async (id: string, type: string, at: Date): Promise<void> => {
    await raw().updateOne(
      { _id: id },
      {
        $inc: { seq: 1 },
        $push: { outbox: { id: `crash-${type}`, type, at, data: { crashed: true } } },
      },
    );
  };

  before(async () => {
    fixture = await startSessionRepositories();
    sessions = fixture.moduleRef.get(SessionRepository);
    events = fixture.moduleRef.get(EventRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('numbers 20 concurrent events 2..21 after the created one, gapless and in order', async () => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    // Readers running alongside the writers never see a gap either.
    const reads: Promise<EventRecord[]>[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        if (i % 4 === 0) reads.push(events.list(input.id, 0, 100));
        return sessions.recordEvent(
          input.ownerId,
          input.id,
          new Date(),
          event('pairing.created', { n: i }),
        );
      }),
    );
    assert.equal(results.filter((r) => r !== null).length, 20);
    assert.deepEqual(
      results.map((r) => r?.seq).sort((a, b) => (a ?? 0) - (b ?? 0)),
      range(2, 21),
    );

    const listed = await events.list(input.id, 0, 100);
    assert.deepEqual(seqs(listed), range(1, 21));
    assert.deepEqual(
      listed
        .slice(1)
        .map((e) => e.data.n)
        .sort((a, b) => Number(a) - Number(b)),
      range(0, 19),
      'each recorded event is there exactly once',
    );
    for (const read of await Promise.all(reads)) {
      assert.deepEqual(seqs(read), range(1, read.length), 'a concurrent read is a gapless prefix');
    }
    assert.deepEqual((await raw().findOne({ _id: input.id }))?.outbox, []);
  });

  it('pages with after and limit, oldest first', async () => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    for (let i = 0; i < 4; i++) {
      await sessions.recordEvent(input.ownerId, input.id, new Date(), event('pairing.created'));
    }
    assert.deepEqual(seqs(await events.list(input.id, 0, 2)), [1, 2]);
    assert.deepEqual(seqs(await events.list(input.id, 2, 2)), [3, 4]);
    assert.deepEqual(seqs(await events.list(input.id, 4, 2)), [5]);
    assert.deepEqual(await events.list(input.id, 5, 2), []);
    assert.deepEqual(await events.list('AAAAAAAAAAAAAAAAAAAAAA', 0, 10), []);
    assert.deepEqual(await events.list({ $ne: null } as unknown as string, 0, 10), []);
  });

  it('copies an event left in the outbox by a crash when listing, without a gap', async () => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    await sessions.recordEvent(input.ownerId, input.id, new Date(), event('pairing.created'));
    const at = new Date();
    await crashAfterUpdate(input.id, 'device.claimed', at);

    const listed = await events.list(input.id, 0, 10);
    assert.deepEqual(seqs(listed), [1, 2, 3]);
    assert.deepEqual(listed[2], {
      sessionId: input.id,
      seq: 3,
      type: 'device.claimed',
      at,
      data: { crashed: true },
    });
    assert.deepEqual((await raw().findOne({ _id: input.id }))?.outbox, []);
    // Listing again copies nothing twice.
    assert.deepEqual(seqs(await events.list(input.id, 0, 10)), [1, 2, 3]);
  });

  it('copies crash leftovers with the next change of the session, before its own event', async () => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    await crashAfterUpdate(input.id, 'device.claimed', new Date());
    await crashAfterUpdate(input.id, 'device.approved', new Date());
    const next = await sessions.recordEvent(
      input.ownerId,
      input.id,
      new Date(),
      event('pairing.created'),
    );
    assert.equal(next?.seq, 4);
    assert.deepEqual((await raw().findOne({ _id: input.id }))?.outbox, []);
    const listed = await events.list(input.id, 0, 10);
    assert.deepEqual(
      listed.map((e) => [e.seq, e.type]),
      [
        [1, 'session.created'],
        [2, 'device.claimed'],
        [3, 'device.approved'],
        [4, 'pairing.created'],
      ],
    );
  });

  it('treats an event already copied but not yet pulled as copied (idempotent)', async () => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    const at = new Date();
    await crashAfterUpdate(input.id, 'device.claimed', at);
    // The copy happened, the pull did not: the same entry is in both places.
    await fixture.raw<Record<string, unknown>>('events').insertOne({
      sessionId: input.id,
      seq: 2,
      type: 'device.claimed',
      at,
      data: { crashed: true },
    });
    assert.deepEqual(seqs(await events.list(input.id, 0, 10)), [1, 2]);
    assert.deepEqual((await raw().findOne({ _id: input.id }))?.outbox, []);
    assert.equal(
      await fixture.raw<Record<string, unknown>>('events').countDocuments({ sessionId: input.id }),
      2,
    );
  });
});
