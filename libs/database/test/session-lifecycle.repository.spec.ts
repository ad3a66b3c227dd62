// The worker's side of sessions: expiry with its event, the purge bookkeeping, and pruning an
// ended session with its events, never a live one nor anything of another session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NewSession } from '../src/sessions/session.repository.js';
import type { SessionRecord } from '../src/sessions/session.types.js';
import {
  startLifecycleRepositories,
  type LifecycleRepositoriesFixture,
} from './lifecycle-repositories.js';
import { event, hour, minute, newSession } from './session-repositories.js';

describe('SessionLifecycleRepository against MongoDB', () => {
  let fixture: LifecycleRepositoriesFixture;
  const stored = (id: string) => fixture.raw('sessions').findOne({ _id: id });
  const types = async (id: string): Promise<string[]> =>
    (await fixture.events.list(id, 0, 100)).map((e) => e.type);

  const create = (overrides: Partial<NewSession> = {}): Promise<SessionRecord> =>
    fixture.sessions.create(newSession(overrides), event('session.created'));
  /** A session stored active whose expiresAt lies `agoMs` in the past. */
  const overdue = (agoMs: number): Promise<SessionRecord> => {
    const expiresAt = new Date(Date.now() - agoMs);
    return create({ createdAt: new Date(expiresAt.getTime() - hour), expiresAt });
  };
  const closed = async (): Promise<SessionRecord> => {
    const session = await create();
    const done = await fixture.sessions.close(
      session.ownerId,
      session.id,
      new Date(),
      event('session.closed'),
    );
    assert.ok(done);
    assert.equal(done.status, 'closed');
    return done;
  };
  /** An ended session whose files were purged at `at`. */
  const purged = async (at: Date): Promise<SessionRecord> => {
    const session = await closed();
    assert.equal(
      await fixture.sessionLifecycle.markFilesPurged(session.id, at, { files: 0 }),
      true,
    );
    return session;
  };

  before(async () => {
    fixture = await startLifecycleRepositories('session_lifecycle');
  });
  after(async () => {
    await fixture.close();
  });

  it('expires active sessions past expiresAt with session.expired as their next event', async () => {
    const first = await overdue(2 * minute);
    const second = await overdue(minute);
    const live = await create();
    // Closed while past expiresAt: it stays closed, no expiry event.
    const closedLate = await overdue(3 * minute);
    await fixture.sessions.close(
      closedLate.ownerId,
      closedLate.id,
      new Date(),
      event('session.closed'),
    );

    const now = new Date();
    // Soonest expired first; the limit bounds the batch.
    assert.deepEqual(await fixture.sessionLifecycle.expireDue(now, 1), [first.id]);
    assert.deepEqual(await fixture.sessionLifecycle.expireDue(now, 10), [second.id]);
    assert.deepEqual(await fixture.sessionLifecycle.expireDue(now, 10), [], 'done once');

    for (const session of [first, second]) {
      assert.equal((await fixture.sessions.findById(session.id))?.status, 'expired');
      assert.deepEqual(await fixture.events.list(session.id, 1, 10), [
        {
          sessionId: session.id,
          seq: 2,
          type: 'session.expired',
          at: now,
          data: { expiresAt: session.expiresAt.toISOString() },
        },
      ]);
    }
    assert.equal((await fixture.sessions.findById(live.id))?.status, 'active');
    assert.deepEqual(await types(live.id), ['session.created']);
    assert.equal((await fixture.sessions.findById(closedLate.id))?.status, 'closed');
    assert.deepEqual(await types(closedLate.id), ['session.created', 'session.closed']);

    // An expired session is never expired again (nor closed twice by the worker).
    assert.equal((await stored(first.id))?.seq, 2);
  });

  it('expires each session exactly once when several workers race', async () => {
    const due = await Promise.all(Array.from({ length: 8 }, (_, i) => overdue((i + 1) * 1000)));
    const now = new Date();
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => fixture.sessionLifecycle.expireDue(now, 100)),
    );
    const expired = runs.flat();
    assert.equal(expired.length, 8);
    assert.deepEqual(new Set(expired), new Set(due.map((s) => s.id)));
    for (const session of due) {
      assert.deepEqual(await types(session.id), ['session.created', 'session.expired']);
    }
  });

  it('lists ended sessions not purged yet in id order, and marks each purged once', async () => {
    // Earlier tests' ended sessions: marked purged, out of the way.
    await fixture.raw('sessions').updateMany({}, { $set: { filesPurgedAt: new Date(0) } });
    const ended = [await closed(), await closed(), await overdue(minute)];
    await fixture.sessionLifecycle.expireDue(new Date(), 10);
    const live = await create();
    const expected = ended.map((s) => s.id).sort();

    assert.deepEqual(await fixture.sessionLifecycle.findEndedUnpurged(10, null), expected);
    assert.deepEqual(
      await fixture.sessionLifecycle.findEndedUnpurged(2, null),
      expected.slice(0, 2),
    );
    assert.deepEqual(
      await fixture.sessionLifecycle.findEndedUnpurged(10, expected[0]),
      expected.slice(1),
    );

    const now = new Date();
    const [target] = expected;
    const seqBefore = Number((await stored(target))?.seq);
    assert.equal(await fixture.sessionLifecycle.markFilesPurged(target, now, { files: 3 }), true);
    assert.equal(await fixture.sessionLifecycle.markFilesPurged(target, now, { files: 3 }), false);
    assert.deepEqual(await fixture.events.list(target, seqBefore, 10), [
      {
        sessionId: target,
        seq: seqBefore + 1,
        type: 'session.purged',
        at: now,
        data: { files: 3 },
      },
    ]);
    assert.deepEqual((await stored(target))?.filesPurgedAt, now);
    assert.deepEqual(await fixture.sessionLifecycle.findEndedUnpurged(10, null), expected.slice(1));

    // A live session is never marked; an unknown one neither.
    assert.equal(await fixture.sessionLifecycle.markFilesPurged(live.id, now, { files: 0 }), false);
    assert.equal((await stored(live.id))?.filesPurgedAt, null);
    assert.deepEqual(await types(live.id), ['session.created']);
    assert.equal(
      await fixture.sessionLifecycle.markFilesPurged('AAAAAAAAAAAAAAAAAAAAAA', now, { files: 0 }),
      false,
    );
  });

  it('tells which of the given sessions have ended, closed or expired, and nothing else', async () => {
    const closedOne = await closed();
    const expired = await overdue(minute);
    assert.ok((await fixture.sessionLifecycle.expireDue(new Date(), 100)).includes(expired.id));
    const live = await create();
    const found = await fixture.sessionLifecycle.findEnded([
      live.id,
      closedOne.id,
      'AAAAAAAAAAAAAAAAAAAAAA',
      expired.id,
    ]);
    assert.deepEqual([...found].sort(), [closedOne.id, expired.id].sort());
    assert.deepEqual(await fixture.sessionLifecycle.findEnded([]), []);
    assert.deepEqual(
      await fixture.sessionLifecycle.findEnded([{ $ne: null } as unknown as string]),
      [],
    );
  });

  it('reopens the purge of an ended session, and of nothing else', async () => {
    await fixture.raw('sessions').updateMany({}, { $set: { filesPurgedAt: new Date(0) } });
    const session = await purged(new Date());
    const seq = Number((await stored(session.id))?.seq);
    assert.equal(await fixture.sessionLifecycle.reopenPurge(session.id), true);
    assert.deepEqual(await fixture.sessionLifecycle.findEndedUnpurged(10, null), [session.id]);
    assert.equal(await fixture.sessionLifecycle.reopenPurge(session.id), false, 'already open');
    assert.equal(Number((await stored(session.id))?.seq), seq, 'bookkeeping only, no event');

    const live = await create();
    assert.equal(await fixture.sessionLifecycle.reopenPurge(live.id), false);
    assert.equal((await stored(live.id))?.filesPurgedAt, null);
    assert.deepEqual(await fixture.sessionLifecycle.findEndedUnpurged(10, null), [session.id]);
  });

  it('prunes a session purged long enough ago with its events, and nothing of another session', async () => {
    // Earlier tests' sessions: purged recently, so not prunable at the dates used here.
    await fixture.raw('sessions').updateMany({}, { $set: { filesPurgedAt: null } });
    const t = new Date(Date.now() - hour);
    const old = await purged(t);
    const recent = await purged(new Date(t.getTime() + minute));
    const unpurged = await closed();
    const live = await create();

    assert.deepEqual(
      await fixture.sessionLifecycle.findPrunable(new Date(t.getTime() - 1), 10),
      [],
    );
    assert.deepEqual(await fixture.sessionLifecycle.findPrunable(t, 10), [old.id]);
    assert.deepEqual(
      await fixture.sessionLifecycle.findPrunable(new Date(t.getTime() + minute), 10),
      [old.id, recent.id],
      'the longest purged first',
    );

    assert.equal(await fixture.sessionLifecycle.prune(old.id, new Date(t.getTime() - 1)), false);
    assert.ok(await stored(old.id), 'not prunable yet: kept');
    assert.equal((await types(old.id)).length, 3);

    assert.equal(await fixture.sessionLifecycle.prune(old.id, t), true);
    assert.equal(await stored(old.id), null);
    assert.equal(await fixture.raw('events').countDocuments({ sessionId: old.id }), 0);
    assert.equal(await fixture.sessionLifecycle.prune(old.id, t), false, 'gone already');

    // The others keep their documents and every event.
    assert.deepEqual(await types(recent.id), [
      'session.created',
      'session.closed',
      'session.purged',
    ]);
    assert.deepEqual(await types(unpurged.id), ['session.created', 'session.closed']);
    assert.deepEqual(await types(live.id), ['session.created']);
    const later = new Date();
    assert.equal(await fixture.sessionLifecycle.prune(unpurged.id, later), false);
    assert.equal(await fixture.sessionLifecycle.prune(live.id, later), false);
    assert.ok(await stored(unpurged.id));
    assert.ok(await stored(live.id));
    assert.equal((await types(live.id)).length, 1);
  });

  it('never prunes a live session, even one whose filesPurgedAt was set by hand', async () => {
    const live = await create();
    const now = new Date();
    await fixture
      .raw('sessions')
      .updateOne({ _id: live.id }, { $set: { filesPurgedAt: new Date(0) } });
    assert.ok(!(await fixture.sessionLifecycle.findPrunable(now, 100)).includes(live.id));
    assert.equal(await fixture.sessionLifecycle.prune(live.id, now), false);
    assert.ok(await stored(live.id));
    assert.deepEqual(await types(live.id), ['session.created']);
  });

  it('finishes a prune that died between its events and its document', async () => {
    const t = new Date(Date.now() - hour);
    const session = await purged(t);
    // What a crash after the events' deletion leaves: the document, no events.
    await fixture.raw('events').deleteMany({ sessionId: session.id });
    assert.ok((await fixture.sessionLifecycle.findPrunable(t, 100)).includes(session.id));
    assert.equal(await fixture.sessionLifecycle.prune(session.id, t), true);
    assert.equal(await stored(session.id), null);
  });

  describe('with a write fence', () => {
    const past = (): { notAfter: Date } => ({ notAfter: new Date(Date.now() - minute) });
    const future = (): { notAfter: Date } => ({ notAfter: new Date(Date.now() + minute) });

    it('expires nothing past its deadline (no status, no event), and expires before it', async () => {
      const due = await overdue(minute);
      const now = new Date();
      const seq = Number((await stored(due.id))?.seq);
      assert.deepEqual(await fixture.sessionLifecycle.expireDue(now, 100, past()), []);
      assert.equal((await stored(due.id))?.status, 'active');
      assert.equal(Number((await stored(due.id))?.seq), seq, 'no event allocated');
      assert.deepEqual(await types(due.id), ['session.created']);

      assert.ok((await fixture.sessionLifecycle.expireDue(now, 100, future())).includes(due.id));
      assert.equal((await stored(due.id))?.status, 'expired');
      assert.deepEqual(await types(due.id), ['session.created', 'session.expired']);
    });

    it('marks nothing purged past its deadline, and marks before it', async () => {
      const session = await closed();
      const now = new Date();
      const mark = (fence: { notAfter: Date }) =>
        fixture.sessionLifecycle.markFilesPurged(session.id, now, { files: 3 }, fence);
      assert.equal(await mark(past()), false);
      assert.equal((await stored(session.id))?.filesPurgedAt, null);
      assert.deepEqual(await types(session.id), ['session.created', 'session.closed']);

      assert.equal(await mark(future()), true);
      assert.deepEqual((await stored(session.id))?.filesPurgedAt, now);
      assert.deepEqual(await types(session.id), [
        'session.created',
        'session.closed',
        'session.purged',
      ]);
    });

    it('reopens nothing past its deadline, and reopens before it', async () => {
      const at = new Date();
      const session = await purged(at);
      assert.equal(await fixture.sessionLifecycle.reopenPurge(session.id, past()), false);
      assert.deepEqual((await stored(session.id))?.filesPurgedAt, at);
      assert.equal(await fixture.sessionLifecycle.reopenPurge(session.id, future()), true);
      assert.equal((await stored(session.id))?.filesPurgedAt, null);
    });

    it('prunes nothing past its deadline (document and events kept), and prunes before it', async () => {
      const t = new Date(Date.now() - hour);
      const session = await purged(t);
      assert.equal(await fixture.sessionLifecycle.prune(session.id, t, past()), false);
      assert.ok(await stored(session.id));
      assert.deepEqual(await types(session.id), [
        'session.created',
        'session.closed',
        'session.purged',
      ]);

      assert.equal(await fixture.sessionLifecycle.prune(session.id, t, future()), true);
      assert.equal(await stored(session.id), null);
      assert.equal(await fixture.raw('events').countDocuments({ sessionId: session.id }), 0);
    });
  });
});
