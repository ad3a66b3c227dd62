import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ApiError, createApi } from '../api/client';
import { resetServerClock } from '../api/clock';
import { claimTab, type TabClaim } from './tab-claim';
import { COPIED_TAB_NOTICE, createUserAuth, USER_STORAGE_KEY } from './user-auth';

// Every auth here is a lone tab unless a test says otherwise.
const alone: TabClaim = { duplicate: Promise.resolve(false), close: () => undefined };

// What the owner sees when an access token runs out: a refresh that the server refuses signs
// out; one that fails (rate limited, busy, offline) keeps the sign-in and says why.

class MemoryStorage implements Storage {
  private readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
}

type Answer = Response | 'offline';
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
const problem = (status: number, code: string): Record<string, unknown> => ({
  type: 'about:blank',
  title: code,
  status,
  detail: code,
  code,
  requestId: 'r1',
});

const realFetch = globalThis.fetch;
let calls: string[] = [];
function answer(routes: Record<string, Answer[]>): void {
  calls = [];
  globalThis.fetch = (input: string | URL | Request) => {
    const path = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(path);
    const next = routes[path]?.shift();
    if (next === undefined) throw new Error(`unexpected call ${path}`);
    if (next === 'offline') return Promise.reject(new TypeError('Failed to fetch'));
    return Promise.resolve(next);
  };
}

function signedInStorage(): MemoryStorage {
  const storage = new MemoryStorage();
  storage.setItem(
    USER_STORAGE_KEY,
    JSON.stringify({ accessToken: 'old', refreshToken: 'r-1', expiresAt: 0 }),
  );
  return storage;
}
const expired = (): Response => json(401, problem(401, 'UNAUTHENTICATED'));

beforeEach(() => resetServerClock());
afterEach(() => {
  globalThis.fetch = realFetch;
});

describe('a 401 on the owner token', () => {
  for (const [name, refreshAnswer, code] of [
    [
      'rate limited',
      json(429, problem(429, 'RATE_LIMITED'), { 'retry-after': '7' }),
      'RATE_LIMITED',
    ],
    ['busy', json(503, problem(503, 'SERVICE_UNAVAILABLE')), 'SERVICE_UNAVAILABLE'],
    ['offline', 'offline', 'NETWORK'],
  ] as const) {
    test(`a refresh that fails (${name}) keeps the sign-in and fails the request with ${code}`, async () => {
      const storage = signedInStorage();
      const auth = createUserAuth(storage, alone);
      const api = createApi(auth);
      answer({ '/v1/sessions': [expired()], '/v1/auth/refresh': [refreshAnswer] });
      const error = await api.get('/v1/sessions').then(
        () => assert.fail('resolved'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, code);
      assert.notEqual(error.status, 401);
      assert.equal(auth.signedIn(), true);
      assert.equal(api.token(), 'old');
      assert.match(storage.getItem(USER_STORAGE_KEY) ?? '', /"refreshToken":"r-1"/);
      if (code === 'RATE_LIMITED') assert.equal(error.retryAfterSeconds, 7);

      // Later the refresh goes through, with the same refresh token, and the call succeeds.
      answer({
        '/v1/sessions': [expired(), json(200, { items: [] })],
        '/v1/auth/refresh': [
          json(200, { accessToken: 'new', refreshToken: 'r-2', expiresIn: 900 }),
        ],
      });
      assert.deepEqual(await api.get('/v1/sessions'), { items: [] });
      assert.equal(api.token(), 'new');
    });
  }

  test('a refused refresh (401) signs out and the request fails with the 401', async () => {
    const storage = signedInStorage();
    const auth = createUserAuth(storage, alone);
    const api = createApi(auth);
    let changes = 0;
    auth.onChange(() => changes++);
    answer({ '/v1/sessions': [expired()], '/v1/auth/refresh': [expired()] });
    await assert.rejects(api.get('/v1/sessions'), (error: unknown) => {
      return error instanceof ApiError && error.status === 401;
    });
    assert.equal(auth.signedIn(), false);
    assert.equal(api.token(), null);
    assert.equal(storage.getItem(USER_STORAGE_KEY), null);
    assert.equal(changes, 1);
  });

  test('concurrent 401s share one refresh', async () => {
    const auth = createUserAuth(signedInStorage(), alone);
    const api = createApi(auth);
    answer({
      '/v1/a': [expired(), json(200, { a: 1 })],
      '/v1/b': [expired(), json(200, { b: 1 })],
      '/v1/auth/refresh': [json(200, { accessToken: 'new', refreshToken: 'r-2', expiresIn: 900 })],
    });
    const [a, b] = await Promise.all([api.get('/v1/a'), api.get('/v1/b')]);
    assert.deepEqual([a, b], [{ a: 1 }, { b: 1 }]);
    assert.equal(calls.filter((c) => c === '/v1/auth/refresh').length, 1);
  });
});

describe('the server clock', () => {
  test("api.now() follows the server's Date header, not the device clock", async () => {
    const api = createApi({ token: () => null });
    const serverTime = Date.now() + 10 * 60_000; // this device runs 10 minutes slow
    answer({
      '/v1/x': [
        new Response('{}', {
          status: 200,
          headers: { date: new Date(serverTime).toUTCString(), 'content-type': 'application/json' },
        }),
      ],
    });
    await api.get('/v1/x');
    assert.ok(Math.abs(api.now() - serverTime) < 2000, `${String(api.now() - serverTime)} ms off`);
  });
});

describe('a duplicated tab', () => {
  test('gives up the copied refresh token: the original keeps the sign-in, the copy asks to sign in again', async () => {
    const name = `test-user-tabs-${String(Math.random())}`;
    const first = signedInStorage();
    const originalTab = claimTab(first, name);
    const original = createUserAuth(first, originalTab);
    await originalTab.duplicate;
    const second = new MemoryStorage();
    for (let i = 0; i < first.length; i++) {
      const key = first.key(i) ?? '';
      second.setItem(key, first.getItem(key) ?? '');
    }
    const copyTab = claimTab(second, name);
    const copy = createUserAuth(second, copyTab);
    assert.equal(await copyTab.duplicate, true);
    // The copy still has the access token (until it expires), not the refresh token.
    assert.equal(copy.token(), 'old');
    assert.match(second.getItem(USER_STORAGE_KEY) ?? '', /"refreshToken":null/);

    answer({ '/v1/auth/refresh': [] });
    assert.equal(await copy.refresh(), false);
    assert.deepEqual(calls, [], 'the copy never spends the shared refresh token');
    assert.equal(copy.signedIn(), false);
    assert.equal(copy.notice(), COPIED_TAB_NOTICE);

    answer({
      '/v1/auth/refresh': [json(200, { accessToken: 'new', refreshToken: 'r-2', expiresIn: 900 })],
    });
    assert.equal(await original.refresh(), true);
    assert.equal(original.token(), 'new');
    originalTab.close();
    copyTab.close();
  });
});
