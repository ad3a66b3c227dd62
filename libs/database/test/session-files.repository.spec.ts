import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FileSlotResult } from '../src/files/session-files.repository.js';
import type { SessionLimits, SessionRecord } from '../src/sessions/session.types.js';
import { startFileRepositories, type FileRepositoriesFixture } from './file-repositories.js';
import { event, hour, limits, newSession } from './session-repositories.js';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('SessionFilesRepository against MongoDB', () => {
  let fixture: FileRepositoriesFixture;
  const stored = (id: string) => fixture.raw('sessions').findOne({ _id: id });
  const stats = async (id: string) => (await fixture.sessions.findById(id))?.stats;

  const liveSession = async (
    overrides: Partial<SessionLimits> = {},
    times: { createdAt?: Date; expiresAt?: Date } = {},
  ): Promise<SessionRecord> =>
    fixture.sessions.create(
      newSession({ limits: limits(overrides), ...times }),
      event('session.created'),
    );

  const count = (results: FileSlotResult[], reason: string | true): number =>
    results.filter((r) => (reason === true ? r.ok : !r.ok && r.reason === reason)).length;

  before(async () => {
    fixture = await startFileRepositories('session_files');
  });
  after(async () => {
    await fixture.close();
  });

  it('reserves a file and its bytes without an event', async () => {
    const session = await liveSession();
    assert.deepEqual(await fixture.sessionFiles.reserve(session.id, 500, new Date()), { ok: true });
    assert.deepEqual(await fixture.sessionFiles.reserve(session.id, 0, new Date()), { ok: true });
    const after = await fixture.sessions.findById(session.id);
    assert.deepEqual(after?.stats, { files: 2, bytes: 500, devices: 0 });
    assert.equal(after?.seq, 1, 'no event');
  });

  it('lets exactly maxFiles of 50 concurrent reservations in; the rest are too_many_files', async () => {
    const session = await liveSession({ maxFiles: 7 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => fixture.sessionFiles.reserve(session.id, 10, new Date())),
    );
    assert.equal(count(results, true), 7);
    assert.equal(count(results, 'too_many_files'), 43);
    assert.deepEqual(await stats(session.id), { files: 7, bytes: 70, devices: 0 });
  });

  it('lets exactly maxTotalBytes worth of 50 concurrent reservations in; the rest are too_many_bytes', async () => {
    const session = await liveSession({ maxFiles: 100, maxTotalBytes: 1000, maxFileBytes: 1000 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => fixture.sessionFiles.reserve(session.id, 100, new Date())),
    );
    assert.equal(count(results, true), 10);
    assert.equal(count(results, 'too_many_bytes'), 40);
    assert.deepEqual(await stats(session.id), { files: 10, bytes: 1000, devices: 0 });
    // Full to the byte: an empty file still fits, one more byte does not.
    assert.deepEqual(await fixture.sessionFiles.reserve(session.id, 1, new Date()), {
      ok: false,
      reason: 'too_many_bytes',
    });
    assert.deepEqual(await fixture.sessionFiles.reserve(session.id, 0, new Date()), { ok: true });
  });

  it('says which limit refused, and changes nothing', async () => {
    const session = await liveSession({ maxFiles: 1, maxTotalBytes: 1000, maxFileBytes: 600 });
    const before = await stored(session.id);
    assert.deepEqual(await fixture.sessionFiles.reserve(session.id, 601, new Date()), {
      ok: false,
      reason: 'file_too_large',
    });
    assert.deepEqual(await stored(session.id), before);
    assert.deepEqual(await fixture.sessionFiles.reserve(session.id, 600, new Date()), { ok: true });
    assert.deepEqual(await fixture.sessionFiles.reserve(session.id, 1, new Date()), {
      ok: false,
      reason: 'too_many_files',
    });

    const big = await liveSession({ maxTotalBytes: 100, maxFileBytes: 1000 });
    assert.deepEqual(await fixture.sessionFiles.reserve(big.id, 101, new Date()), {
      ok: false,
      reason: 'too_many_bytes',
    });
    assert.deepEqual(await stats(big.id), { files: 0, bytes: 0, devices: 0 });
    await assert.rejects(fixture.sessionFiles.reserve(big.id, -1, new Date()), RangeError);
    await assert.rejects(fixture.sessionFiles.reserve(big.id, 1.5, new Date()), RangeError);
  });

  it('refuses an unknown, closed or expired session (not_found / inactive)', async () => {
    assert.deepEqual(await fixture.sessionFiles.reserve('AAAAAAAAAAAAAAAAAAAAAA', 1, new Date()), {
      ok: false,
      reason: 'not_found',
    });
    const past = Date.now() - 2 * hour;
    const expired = await liveSession(
      {},
      { createdAt: new Date(past), expiresAt: new Date(past + hour) },
    );
    const closed = await liveSession();
    await fixture.sessions.close(closed.ownerId, closed.id, new Date(), event('session.closed'));
    const live = await liveSession();
    const cases = [
      { id: expired.id, now: new Date() },
      { id: closed.id, now: new Date() },
      { id: live.id, now: new Date(live.expiresAt.getTime()) },
    ];
    for (const { id, now } of cases) {
      const before = await stored(id);
      assert.deepEqual(await fixture.sessionFiles.reserve(id, 1, now), {
        ok: false,
        reason: 'inactive',
      });
      assert.deepEqual(await stored(id), before);
    }
  });

  it('releases reservations, on any session status, never below zero', async () => {
    const session = await liveSession();
    for (const size of [100, 200]) {
      assert.ok((await fixture.sessionFiles.reserve(session.id, size, new Date())).ok);
    }
    await fixture.sessionFiles.release(session.id, 100);
    assert.deepEqual(await stats(session.id), { files: 1, bytes: 200, devices: 0 });

    // More bytes than reserved: nothing to give back, nothing goes negative.
    await fixture.sessionFiles.release(session.id, 201);
    assert.deepEqual(await stats(session.id), { files: 1, bytes: 200, devices: 0 });

    await fixture.sessions.close(session.ownerId, session.id, new Date(), event('session.closed'));
    await Promise.all(
      Array.from({ length: 10 }, () => fixture.sessionFiles.release(session.id, 200)),
    );
    assert.deepEqual(await stats(session.id), { files: 0, bytes: 0, devices: 0 });
    await fixture.sessionFiles.release(session.id, 0);
    assert.deepEqual(await stats(session.id), { files: 0, bytes: 0, devices: 0 });
    await fixture.sessionFiles.release('AAAAAAAAAAAAAAAAAAAAAA', 1);
  });

  it('records file events gapless alongside the session’s own, whatever its status', async () => {
    const session = await liveSession();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? fixture.sessionFiles.recordEvent(
              session.id,
              new Date(),
              event('file.declared', { n: i }),
            )
          : fixture.sessions.recordEvent(
              session.ownerId,
              session.id,
              new Date(),
              event('pairing.created', { n: i }),
            ),
      ),
    );
    const listed = await fixture.events.list(session.id, 0, 100);
    assert.deepEqual(
      listed.map((e) => e.seq),
      range(1, 21),
    );
    assert.deepEqual(
      listed
        .slice(1)
        .map((e) => Number(e.data.n))
        .sort((a, b) => a - b),
      range(0, 19),
    );
    assert.equal(listed.filter((e) => e.type === 'file.declared').length, 10);

    // After the session ended (the worker settles a file late), still recorded.
    await fixture.sessions.close(session.ownerId, session.id, new Date(), event('session.closed'));
    await fixture.sessionFiles.recordEvent(
      session.id,
      new Date(),
      event('file.ready', { fileId: 'f1' }),
    );
    const last = (await fixture.events.list(session.id, 21, 10)).map((e) => [e.seq, e.type]);
    assert.deepEqual(last, [
      [22, 'session.closed'],
      [23, 'file.ready'],
    ]);
    assert.deepEqual((await stored(session.id))?.outbox, [], 'the outbox was flushed');

    // A session that is gone: nothing happens.
    await fixture.sessionFiles.recordEvent(
      'AAAAAAAAAAAAAAAAAAAAAA',
      new Date(),
      event('file.ready'),
    );
    assert.deepEqual(await fixture.events.list('AAAAAAAAAAAAAAAAAAAAAA', 0, 10), []);
  });
});
