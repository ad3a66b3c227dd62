import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { signUp } from '../auth/auth-client.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  allActivity,
  call,
  counterValue,
  createSession,
  expectJson,
  getSession,
  sleep,
  type SessionBody,
  type SessionPage,
} from './sessions-client.js';

const SESSION_KEYS = [
  'createdAt',
  'expiresAt',
  'guestPermissions',
  'id',
  'limits',
  'name',
  'requireApproval',
  'stats',
  'status',
];

describe('sessions: create, read, rename, extend, close over HTTP', () => {
  let t: TestApp;
  let token: string;

  before(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '1000' } });
    token = (await signUp(t.baseUrl)).accessToken;
  });
  after(async () => {
    await t.close();
  });

  it('creates a session with the server defaults and shows no devices or owner', async () => {
    const before = Date.now();
    const res = await call(t.baseUrl, 'POST', '/v1/sessions', token, {});
    const session = await expectJson<SessionBody & Record<string, unknown>>(res, 201);
    assert.deepEqual(Object.keys(session).sort(), SESSION_KEYS);
    assert.match(session.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(session.name, 'Sharing session');
    assert.equal(session.status, 'active');
    assert.deepEqual(session.guestPermissions, ['upload', 'download']);
    assert.equal(session.requireApproval, false);
    const { sessions } = t.config;
    assert.deepEqual(session.limits, {
      maxDevices: sessions.maxDevices,
      maxFiles: sessions.maxFiles,
      maxTotalBytes: sessions.maxTotalBytes,
      maxFileBytes: sessions.maxFileBytes,
      maxDownloadsPerFile: sessions.maxDownloadsPerFile,
    });
    assert.deepEqual(session.stats, { files: 0, bytes: 0, devices: 0 });
    const lifetime = Date.parse(session.expiresAt) - Date.parse(session.createdAt);
    assert.equal(lifetime, sessions.defaultTtlSeconds * 1000);
    assert.ok(Date.parse(session.createdAt) >= before - 1000);
    assert.deepEqual(await getSession(t.baseUrl, token, session.id), session);
  });

  it('keeps the settings asked for', async () => {
    const session = await createSession(t.baseUrl, token, {
      name: '  Holiday photos  ',
      ttlSeconds: 600,
      guestPermissions: [],
      requireApproval: true,
      limits: { maxDevices: 1, maxDownloadsPerFile: 3 },
    });
    assert.equal(session.name, 'Holiday photos');
    assert.deepEqual(session.guestPermissions, []);
    assert.equal(session.requireApproval, true);
    assert.equal(session.limits.maxDevices, 1);
    assert.equal(session.limits.maxDownloadsPerFile, 3);
    assert.equal(session.limits.maxFiles, t.config.sessions.maxFiles);
    assert.equal(Date.parse(session.expiresAt) - Date.parse(session.createdAt), 600_000);

    const all = await createSession(t.baseUrl, token, {
      guestPermissions: ['delete', 'download', 'upload'],
      ttlSeconds: t.config.sessions.maxTtlSeconds,
      limits: { maxDevices: t.config.sessions.maxDevices },
    });
    assert.deepEqual(all.guestPermissions, ['delete', 'download', 'upload']);
    assert.equal(all.limits.maxDevices, t.config.sessions.maxDevices);
  });

  it('renames and extends: expiresAt becomes now + ttlSeconds, each change an event', async () => {
    const session = await createSession(t.baseUrl, token, { name: 'First', ttlSeconds: 300 });
    const path = `/v1/sessions/${session.id}`;

    const renamed = await expectJson<SessionBody>(
      await call(t.baseUrl, 'PATCH', path, token, { name: 'Second' }),
      200,
    );
    assert.equal(renamed.name, 'Second');
    assert.equal(renamed.expiresAt, session.expiresAt);

    const asked = Date.now();
    const extended = await expectJson<SessionBody>(
      await call(t.baseUrl, 'PATCH', path, token, { ttlSeconds: 7200 }),
      200,
    );
    const expiresAt = Date.parse(extended.expiresAt);
    assert.ok(expiresAt >= asked + 7_200_000 - 1000 && expiresAt <= Date.now() + 7_200_000);
    assert.equal(extended.name, 'Second');

    // A shorter lifetime is a change too (within the minimum).
    const both = await expectJson<SessionBody>(
      await call(t.baseUrl, 'PATCH', path, token, { name: 'Third', ttlSeconds: 60 }),
      200,
    );
    assert.equal(both.name, 'Third');
    assert.ok(Date.parse(both.expiresAt) <= Date.now() + 60_000);
    assert.deepEqual(await getSession(t.baseUrl, token, session.id), both);

    const events = await allActivity(t.baseUrl, token, session.id);
    assert.deepEqual(
      events.map((e) => [e.seq, e.type]),
      [
        [1, 'session.created'],
        [2, 'session.renamed'],
        [3, 'session.extended'],
        [4, 'session.extended'],
      ],
    );
    assert.deepEqual(events[1]?.data, { name: 'Second' });
    assert.equal(events[2]?.data.expiresAt, extended.expiresAt);
    assert.equal(events[3]?.data.name, 'Third');
    for (const event of events) assert.ok(!Number.isNaN(Date.parse(event.at)));
  });

  it('closes a session: 204, reads as closed, refuses changes with 410, closes again with 204', async () => {
    const session = await createSession(t.baseUrl, token);
    const path = `/v1/sessions/${session.id}`;
    const closedBefore = await counterValue(t.baseUrl, 'sharexpress_sessions_closed_total');

    const res = await call(t.baseUrl, 'DELETE', path, token);
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    const closed = await getSession(t.baseUrl, token, session.id);
    assert.equal(closed.status, 'closed');

    await expectProblem(
      await call(t.baseUrl, 'PATCH', path, token, { name: 'Too late' }),
      410,
      'SESSION_EXPIRED',
    );
    await expectProblem(
      await call(t.baseUrl, 'PATCH', path, token, { ttlSeconds: 3600 }),
      410,
      'SESSION_EXPIRED',
    );
    const again = await call(t.baseUrl, 'DELETE', path, token);
    assert.equal(again.status, 204);
    await again.body?.cancel();

    assert.deepEqual(await getSession(t.baseUrl, token, session.id), closed);
    const events = await allActivity(t.baseUrl, token, session.id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['session.created', 'session.closed'],
    );
    // The second close changed nothing, so it is not counted.
    assert.equal(
      (await counterValue(t.baseUrl, 'sharexpress_sessions_closed_total')) - closedBefore,
      1,
    );
  });

  it('counts created sessions at /metrics', async () => {
    const before = await counterValue(t.baseUrl, 'sharexpress_sessions_created_total');
    await createSession(t.baseUrl, token);
    await createSession(t.baseUrl, token);
    const after = await counterValue(t.baseUrl, 'sharexpress_sessions_created_total');
    assert.equal(after - before, 2);
  });

  it('lists newest first across pages with a stable cursor', async () => {
    const user = (await signUp(t.baseUrl)).accessToken;
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      created.push((await createSession(t.baseUrl, user, { name: `S${String(i)}` })).id);
      await sleep(3); // distinct createdAt, so "newest first" has one answer
    }
    const newestFirst = [...created].reverse();

    const first = await expectJson<SessionPage>(
      await call(t.baseUrl, 'GET', '/v1/sessions?limit=2', user),
      200,
    );
    assert.deepEqual(
      first.items.map((s) => s.id),
      newestFirst.slice(0, 2),
    );
    assert.ok(first.nextCursor !== null);
    // The same request gives the same cursor.
    const repeat = await expectJson<SessionPage>(
      await call(t.baseUrl, 'GET', '/v1/sessions?limit=2', user),
      200,
    );
    assert.equal(repeat.nextCursor, first.nextCursor);

    // A session created meanwhile is not in the later pages: the cursor holds its place.
    const newer = await createSession(t.baseUrl, user, { name: 'Newer' });
    const seen = first.items.map((s) => s.id);
    let cursor: string | null = first.nextCursor;
    let pages = 1;
    while (cursor !== null) {
      const page: SessionPage = await expectJson<SessionPage>(
        await call(
          t.baseUrl,
          'GET',
          `/v1/sessions?limit=2&cursor=${encodeURIComponent(cursor)}`,
          user,
        ),
        200,
      );
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      pages += 1;
      assert.ok(pages <= 4, 'pagination ends');
    }
    assert.deepEqual(seen, newestFirst);

    const all = await expectJson<SessionPage>(
      await call(t.baseUrl, 'GET', '/v1/sessions', user),
      200,
    );
    assert.deepEqual(
      all.items.map((s) => s.id),
      [newer.id, ...newestFirst],
    );
    assert.equal(all.nextCursor, null);
    // Only the caller's sessions.
    const mine = await expectJson<SessionPage>(
      await call(t.baseUrl, 'GET', '/v1/sessions?limit=100', token),
      200,
    );
    assert.ok(mine.items.every((s) => !created.includes(s.id) && s.id !== newer.id));
  });
});
