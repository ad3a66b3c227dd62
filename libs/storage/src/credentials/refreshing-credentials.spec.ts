import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { RefreshingCredentials, StorageCredentialsError } from './refreshing-credentials.js';
import type { CredentialSource, StorageCredentials } from './storage-credentials.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 2, 3, 0, 0);

/** Keys number `n`, expiring `lifeMs` after the (mocked) present. */
const keys = (n: number, lifeMs: number): StorageCredentials => ({
  accessKeyId: `ASIA${String(n)}`,
  secretAccessKey: `secret-${String(n)}`,
  sessionToken: `token-${String(n)}`,
  expiration: new Date(Date.now() + lifeMs),
});

/** A source that answers call n (1-based) with `answer(n)`: credentials, or an error to throw. */
function fakeSource(answer: (n: number) => StorageCredentials | Error) {
  const calls: number[] = [];
  const source: CredentialSource = () => {
    calls.push(Date.now());
    const result = answer(calls.length);
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  };
  return { source, calls };
}

// Lets the promise chains a timer started run to completion (setImmediate is not mocked).
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};
// The mocked clock jumps to the end of a tick before it runs the timers due in it, so time moves
// in steps of at most a second, each settled: a timer set by a callback fires at its own time.
const advance = async (ms: number) => {
  for (let left = ms; left > 0; left -= 1000) {
    mock.timers.tick(Math.min(1000, left));
    await settle();
  }
};

describe('RefreshingCredentials', () => {
  let credentials: RefreshingCredentials | undefined;
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }));
  afterEach(() => {
    credentials?.close();
    credentials = undefined;
    mock.timers.reset();
  });

  it('refreshes 5 minutes before expiration with no request to prompt it', async () => {
    const { source, calls } = fakeSource((n) => keys(n, 60 * MIN));
    credentials = new RefreshingCredentials(source).start();
    await settle();
    assert.equal(credentials.current()?.accessKeyId, 'ASIA1');

    await advance(55 * MIN - 1);
    assert.equal(calls.length, 1);
    assert.equal(credentials.current()?.accessKeyId, 'ASIA1');
    await advance(1);
    assert.equal(calls.length, 2);
    assert.equal(credentials.current()?.accessKeyId, 'ASIA2');
    // And again, 55 minutes after the second fetch.
    await advance(55 * MIN);
    assert.deepEqual(
      calls.map((t) => (t - T0) / MIN),
      [0, 55, 110],
    );
  });

  it('refreshes short-lived credentials after three quarters of their life', async () => {
    const { source, calls } = fakeSource((n) => keys(n, 8000));
    credentials = new RefreshingCredentials(source, { minimumValiditySeconds: 1 }).start();
    await settle();
    await advance(5999);
    assert.equal(credentials.current()?.accessKeyId, 'ASIA1');
    await advance(1);
    assert.equal(credentials.current()?.accessKeyId, 'ASIA2');
    assert.deepEqual(
      calls.map((t) => t - T0),
      [0, 6000],
    );
  });

  it('shares one fetch among concurrent callers', async () => {
    let release: (c: StorageCredentials) => void = () => undefined;
    let calls = 0;
    const source: CredentialSource = () => {
      calls++;
      return new Promise((resolve) => (release = resolve));
    };
    credentials = new RefreshingCredentials(source);
    const waiting = Array.from({ length: 10 }, () => credentials!.provide());
    assert.equal(credentials.current(), undefined);
    release(keys(1, 60 * MIN));
    const got = await Promise.all(waiting);
    assert.equal(calls, 1);
    assert.deepEqual(new Set(got.map((c) => c.accessKeyId)), new Set(['ASIA1']));
  });

  it('keeps the old credentials while refreshes fail, backs off, and recovers', async () => {
    let failing = false;
    const { source, calls } = fakeSource((n) =>
      failing ? new Error('connect ECONNREFUSED 169.254.169.254:80') : keys(n, 10 * MIN),
    );
    credentials = new RefreshingCredentials(source).start();
    await settle();
    failing = true;

    // Due at 7.5 min (a quarter of 10 min before expiry); fails, retried 1, 2, 4, 8, 16 s later.
    await advance(7.5 * MIN + 31_000);
    assert.deepEqual(
      calls.map((t) => (t - T0 - 7.5 * MIN) / 1000),
      [-450, 0, 1, 3, 7, 15, 31],
    );
    // Still valid for over a minute: the presigner and the client keep using them.
    assert.equal(credentials.current()?.accessKeyId, 'ASIA1');
    assert.equal((await credentials.provide()).accessKeyId, 'ASIA1');

    // Under a minute left: no more URLs, but a server-side call still gets them.
    await advance(10 * MIN - (7.5 * MIN + 31_000) - MIN + 1);
    assert.equal(credentials.current(), undefined);
    assert.ok(credentials.retryAfterSeconds() >= 1);
    assert.equal((await credentials.provide()).accessKeyId, 'ASIA1');

    // Expired: the client gets the refresh failure, without any secret in it.
    await advance(MIN);
    const err = await credentials.provide().catch((e: unknown) => e);
    assert.ok(err instanceof StorageCredentialsError);
    assert.match(err.message, /ECONNREFUSED/);
    assert.doesNotMatch(err.message, /secret-/);

    // The source comes back: the next scheduled attempt (at most 30 s away) restores service.
    failing = false;
    await advance(30_000);
    assert.match(credentials.current()?.accessKeyId ?? '', /^ASIA\d+$/);
    assert.notEqual(credentials.current()?.accessKeyId, 'ASIA1');
    assert.equal(credentials.current()?.sessionToken, `token-${String(calls.length)}`);
  });

  it('asks a source that returns the same soon-expiring credentials again later, not in a loop', async () => {
    const same = keys(1, 4 * MIN);
    const { source, calls } = fakeSource(() => same);
    credentials = new RefreshingCredentials(source).start();
    await settle();
    // Due at a quarter of the 4 minutes left before expiry: 3 minutes on, once.
    await advance(3 * MIN - 1);
    assert.equal(calls.length, 1);
    await advance(1);
    assert.equal(calls.length, 2);
  });

  it('refuses unusable credentials from the source without echoing them', async () => {
    const { source } = fakeSource(() => ({
      accessKeyId: 'ASIA1',
      secretAccessKey: '',
      sessionToken: 'token-secret-value',
    }));
    credentials = new RefreshingCredentials(source);
    const err = await credentials.provide().catch((e: unknown) => e);
    assert.ok(err instanceof StorageCredentialsError);
    assert.equal(
      err.message,
      'The credential source returned credentials without a secret access key',
    );
    assert.equal(credentials.current(), undefined);
  });

  it('holds long-term credentials from the chain for good, with no timer', async () => {
    const { source, calls } = fakeSource(() => ({ accessKeyId: 'AKID', secretAccessKey: 's' }));
    credentials = new RefreshingCredentials(source).start();
    await settle();
    mock.timers.tick(30 * 24 * 60 * MIN);
    await settle();
    assert.equal(credentials.current()?.accessKeyId, 'AKID');
    assert.equal(calls.length, 1);
  });

  it('stops refreshing once closed', async () => {
    const { source, calls } = fakeSource((n) => keys(n, 10 * MIN));
    credentials = new RefreshingCredentials(source).start();
    await settle();
    credentials.close();
    await advance(60 * MIN);
    assert.equal(calls.length, 1);
  });
});
