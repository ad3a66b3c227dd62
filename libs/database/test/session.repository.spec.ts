import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '@app/common';
import { EventRepository } from '../src/events/event.repository.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import {
  event,
  hour,
  newSession,
  startSessionRepositories,
  type SessionRepositoriesFixture,
} from './session-repositories.js';

describe('SessionRepository against MongoDB', () => {
  let fixture: SessionRepositoriesFixture;
  let sessions: SessionRepository;
  let events: EventRepository;
  const stored = (id: string) => fixture.raw('sessions').findOne({ _id: id });

  before(async () => {
    fixture = await startSessionRepositories();
    sessions = fixture.moduleRef.get(SessionRepository);
    events = fixture.moduleRef.get(EventRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('creates a session as event 1 and finds it as a plain record', async () => {
    const input = newSession();
    const created = await sessions.create(input, event('session.created', { ttlSeconds: 3600 }));
    assert.deepEqual(created, {
      id: input.id,
      ownerId: input.ownerId,
      name: input.name,
      status: 'active',
      guestPermissions: input.guestPermissions,
      requireApproval: false,
      limits: input.limits,
      stats: { files: 0, bytes: 0, devices: 0 },
      devices: [],
      createdAt: input.createdAt,
      expiresAt: input.expiresAt,
      closedAt: null,
      seq: 1,
    });
    assert.deepEqual(await sessions.findById(input.id), created);
    assert.deepEqual(await events.list(input.id, 0, 10), [
      {
        sessionId: input.id,
        seq: 1,
        type: 'session.created',
        at: input.createdAt,
        data: { ttlSeconds: 3600 },
      },
    ]);
    assert.deepEqual((await stored(input.id))?.outbox, [], 'the outbox was flushed');
  });

  it('answers null for an unknown id and never treats a smuggled object as a query', async () => {
    await sessions.create(newSession(), event('session.created'));
    assert.equal(await sessions.findById('AAAAAAAAAAAAAAAAAAAAAA'), null);
    assert.equal(await sessions.findById({ $ne: null } as unknown as string), null);
    const page = await sessions.listByOwner({ $ne: null } as unknown as string, 10, null);
    assert.deepEqual(page, { items: [], nextCursor: null });
  });

  it('lists the owner’s sessions newest first across pages, ties in createdAt included', async () => {
    const ownerId = 'owner-list';
    const base = Date.now() - hour;
    // Three instants, several sessions on each: the id breaks the tie.
    const times = [0, 1000, 1000, 1000, 2000, 2000, 3000, 1000];
    const created = [];
    for (const offset of times) {
      const input = newSession({ ownerId, createdAt: new Date(base + offset) });
      created.push(await sessions.create(input, event('session.created')));
    }
    await sessions.create(newSession({ ownerId: 'someone-else' }), event('session.created'));
    const expected = [...created]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((s) => s.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await sessions.listByOwner(ownerId, 3, cursor);
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    assert.deepEqual(seen, expected);
    assert.equal(pages, 3);

    const all = await sessions.listByOwner(ownerId, 8, null);
    assert.equal(all.items.length, 8);
    assert.equal(all.nextCursor, null, 'an exactly full last page has no next cursor');
  });

  it('refuses a cursor it did not issue with VALIDATION_FAILED on the cursor field', async () => {
    const bad = [
      'not a cursor!',
      '',
      Buffer.from('abc').toString('base64url'),
      Buffer.from('12.$where').toString('base64url'),
      Buffer.from('9999999999999999999.abc').toString('base64url'),
    ];
    for (const cursor of bad) {
      await assert.rejects(
        sessions.listByOwner('owner-1', 10, cursor),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'VALIDATION_FAILED' &&
          error.errors?.[0]?.field === 'cursor',
        cursor,
      );
    }
  });

  it('renames and re-times a live owned session, recording the event', async () => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    const expiresAt = new Date(input.expiresAt.getTime() + hour);
    const now = new Date();
    const updated = await sessions.update(
      input.ownerId,
      input.id,
      { name: 'Renamed', expiresAt },
      now,
      event('session.extended', { ttlSeconds: 7200 }),
    );
    assert.equal(updated?.name, 'Renamed');
    assert.deepEqual(updated?.expiresAt, expiresAt);
    assert.equal(updated?.seq, 2);
    assert.deepEqual(await sessions.findById(input.id), updated);
    const listed = await events.list(input.id, 1, 10);
    assert.deepEqual(
      listed.map((e) => [e.seq, e.type, e.at.getTime()]),
      [[2, 'session.extended', now.getTime()]],
    );
  });

  it('refuses update, close and recordEvent on expired, closed and others’ sessions, changing nothing', async () => {
    const past = Date.now() - 2 * hour;
    const expired = newSession({
      createdAt: new Date(past),
      expiresAt: new Date(past + hour),
    });
    const closed = newSession();
    const owned = newSession();
    for (const s of [expired, closed, owned]) await sessions.create(s, event('session.created'));
    await sessions.close(closed.ownerId, closed.id, new Date(), event('session.closed'));

    const cases = [
      { id: expired.id, ownerId: expired.ownerId, why: 'expired' },
      { id: closed.id, ownerId: closed.ownerId, why: 'closed' },
      { id: owned.id, ownerId: 'intruder', why: 'not owned' },
      { id: owned.id, ownerId: { $ne: null } as unknown as string, why: 'smuggled owner' },
    ];
    for (const { id, ownerId, why } of cases) {
      const before = await stored(id);
      const now = new Date();
      assert.equal(
        await sessions.update(ownerId, id, { name: 'x' }, now, event('session.renamed')),
        null,
        why,
      );
      assert.equal(
        await sessions.recordEvent(ownerId, id, now, event('pairing.created')),
        null,
        why,
      );
      // Closing is refused only for others; an expired session closes (see below).
      if (why !== 'expired') {
        const closeResult = await sessions.close(ownerId, id, now, event('session.closed'));
        if (why === 'closed') assert.deepEqual(closeResult, await sessions.findById(id), why);
        else assert.equal(closeResult, null, why);
      }
      assert.deepEqual(await stored(id), before, `${why}: nothing stored changed`);
    }
    // An active session read at a later `now` is just as expired.
    const later = new Date(owned.expiresAt.getTime() + 1);
    assert.equal(
      await sessions.update(
        owned.ownerId,
        owned.id,
        { name: 'x' },
        later,
        event('session.renamed'),
      ),
      null,
    );
    assert.equal(
      await sessions.recordEvent(owned.ownerId, owned.id, later, event('pairing.created')),
      null,
    );
  });

  it('closes once: a second close returns the closed session with no new event', async () => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    const now = new Date();
    const closed = await sessions.close(input.ownerId, input.id, now, event('session.closed'));
    assert.equal(closed?.status, 'closed');
    assert.deepEqual(closed?.closedAt, now);
    assert.equal(closed?.seq, 2);
    const again = await sessions.close(
      input.ownerId,
      input.id,
      new Date(),
      event('session.closed'),
    );
    assert.deepEqual(again, closed);
    assert.deepEqual(
      (await events.list(input.id, 0, 10)).map((e) => e.type),
      ['session.created', 'session.closed'],
    );
  });

  it('closes an expired session, whether stored active past expiresAt or stored expired', async () => {
    const past = Date.now() - 2 * hour;
    const lapsed = newSession({ createdAt: new Date(past), expiresAt: new Date(past + hour) });
    const marked = newSession();
    for (const s of [lapsed, marked]) await sessions.create(s, event('session.created'));
    await fixture.raw('sessions').updateOne({ _id: marked.id }, { $set: { status: 'expired' } });
    for (const input of [lapsed, marked]) {
      const now = new Date();
      const closed = await sessions.close(input.ownerId, input.id, now, event('session.closed'));
      assert.equal(closed?.status, 'closed');
      assert.deepEqual(closed?.closedAt, now);
      assert.equal(closed?.seq, 2);
      assert.deepEqual(await sessions.findById(input.id), closed);
      // Once closed, closing again changes nothing.
      const again = await sessions.close(input.ownerId, input.id, new Date(), event('x'));
      assert.deepEqual(again, closed);
      assert.deepEqual(
        (await events.list(input.id, 0, 10)).map((e) => e.type),
        ['session.created', 'session.closed'],
      );
    }
    assert.equal(await sessions.close('intruder', lapsed.id, new Date(), event('x')), null);
  });

  it('records an event on a live owned session', async () => {
    const input = newSession();
    await sessions.create(input, event('session.created'));
    const recorded = await sessions.recordEvent(
      input.ownerId,
      input.id,
      new Date(),
      event('pairing.created', { pairingId: 'p1', $where: 'x', nested: {} as unknown as string }),
    );
    assert.equal(recorded?.seq, 2);
    const [, second] = await events.list(input.id, 0, 10);
    assert.deepEqual(second?.data, { pairingId: 'p1' }, 'only safe keys and primitive values');
  });
});
