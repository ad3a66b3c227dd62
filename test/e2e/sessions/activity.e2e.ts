import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { signUp } from '../auth/auth-client.js';
import {
  allActivity,
  call,
  createSession,
  expectJson,
  getSession,
  type ActivityPage,
  type SessionBody,
} from './sessions-client.js';

describe('sessions: the activity listing, in order with no gaps', () => {
  let t: TestApp;
  let token: string;

  before(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '1000', RATE_LIMIT_MAX: '100000' } });
    token = (await signUp(t.baseUrl)).accessToken;
  });
  after(async () => {
    await t.close();
  });

  it('lists a series of changes as seq 1..n, oldest first, page by page', async () => {
    const session = await createSession(t.baseUrl, token, { name: 'Log' });
    const path = `/v1/sessions/${session.id}`;
    const changes = [
      { name: 'A' },
      { ttlSeconds: 600 },
      { name: 'B', ttlSeconds: 900 },
      { name: 'C' },
      { ttlSeconds: 120 },
    ];
    for (const change of changes) {
      await expectJson<SessionBody>(await call(t.baseUrl, 'PATCH', path, token, change), 200);
    }
    const closed = await call(t.baseUrl, 'DELETE', path, token);
    assert.equal(closed.status, 204);

    const expected = [
      'session.created',
      'session.renamed',
      'session.extended',
      'session.extended',
      'session.renamed',
      'session.extended',
      'session.closed',
    ];
    const whole = await expectJson<ActivityPage>(
      await call(t.baseUrl, 'GET', `${path}/activity`, token),
      200,
    );
    assert.deepEqual(
      whole.items.map((e) => [e.seq, e.type]),
      expected.map((type, i) => [i + 1, type]),
    );
    assert.equal(whole.nextCursor, null);
    assert.deepEqual(whole.items[0]?.data, { name: 'Log', expiresAt: session.expiresAt });
    const times = whole.items.map((e) => Date.parse(e.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );

    // Pages of 3: nextCursor is the last seq; the last page has none.
    const first = await expectJson<ActivityPage>(
      await call(t.baseUrl, 'GET', `${path}/activity?limit=3`, token),
      200,
    );
    assert.deepEqual(
      first.items.map((e) => e.seq),
      [1, 2, 3],
    );
    assert.equal(first.nextCursor, '3');
    const second = await expectJson<ActivityPage>(
      await call(t.baseUrl, 'GET', `${path}/activity?limit=3&after=${first.nextCursor}`, token),
      200,
    );
    assert.deepEqual(
      second.items.map((e) => e.seq),
      [4, 5, 6],
    );
    // `cursor` is an alias of `after`.
    const third = await expectJson<ActivityPage>(
      await call(
        t.baseUrl,
        'GET',
        `${path}/activity?limit=3&cursor=${String(second.nextCursor)}`,
        token,
      ),
      200,
    );
    assert.deepEqual(
      third.items.map((e) => e.seq),
      [7],
    );
    assert.equal(third.nextCursor, null);
    const beyond = await expectJson<ActivityPage>(
      await call(t.baseUrl, 'GET', `${path}/activity?after=7`, token),
      200,
    );
    assert.deepEqual(beyond, { items: [], nextCursor: null });
    assert.deepEqual(
      (await allActivity(t.baseUrl, token, session.id, 2)).map((e) => e.seq),
      [1, 2, 3, 4, 5, 6, 7],
    );
  });

  it('records exactly one event per concurrent change, with no gaps or repeats', async () => {
    const session = await createSession(t.baseUrl, token);
    const path = `/v1/sessions/${session.id}`;
    const CONCURRENT = 20;
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        call(t.baseUrl, 'PATCH', path, token, { ttlSeconds: 600 + i }),
      ),
    );
    const statuses = await Promise.all(
      answers.map(async (res) => {
        await res.body?.cancel();
        return res.status;
      }),
    );
    assert.equal(statuses.filter((s) => s === 200).length, CONCURRENT);

    const events = await allActivity(t.baseUrl, token, session.id, 7);
    assert.equal(events.length, CONCURRENT + 1);
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: CONCURRENT + 1 }, (_, i) => i + 1),
    );
    assert.equal(events.filter((e) => e.type === 'session.extended').length, CONCURRENT);
    // Every asked lifetime appears exactly once, and the last one recorded is what the session shows.
    const ttls = events.slice(1).map((e) => e.data.ttlSeconds);
    assert.deepEqual(
      [...ttls].sort(),
      Array.from({ length: CONCURRENT }, (_, i) => 600 + i).sort(),
    );
    const current = await getSession(t.baseUrl, token, session.id);
    assert.equal(current.expiresAt, events.at(-1)?.data.expiresAt);
  });
});
