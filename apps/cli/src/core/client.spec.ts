import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { anonClient, userClient } from './client.ts';
import { loadCredentials, saveCredentials } from './credentials.ts';
import { CliError, EXIT } from './errors.ts';

// A stand-in for the API's auth routes: one valid access token at a time, single-use refresh
// tokens (presenting a spent one is refused), as docs/api.md describes.
let valid = 'access-1';
let refreshToken = 'refresh-1';
let refreshes = 0;
let generation = 1; // token names never repeat, even when a test resets `refreshes`
let refuseRefresh = false;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const send = (status: number, value?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
        ...headers,
      });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    if (req.url === '/v1/auth/refresh') {
      refreshes++;
      const presented = (JSON.parse(body) as { refreshToken: string }).refreshToken;
      if (refuseRefresh || presented !== refreshToken)
        return send(401, { code: 'UNAUTHENTICATED' });
      generation++;
      valid = `access-${generation}`;
      refreshToken = `refresh-${generation}`;
      return send(200, { accessToken: valid, refreshToken, tokenType: 'Bearer', expiresIn: 900 });
    }
    if (req.url === '/limited') return send(429, { code: 'RATE_LIMITED' }, { 'retry-after': '17' });
    if (req.headers.authorization !== `Bearer ${valid}`)
      return send(401, { code: 'UNAUTHENTICATED' });
    if (req.method === 'DELETE') return send(204);
    return send(200, { ok: true, path: req.url });
  });
});
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'sx-client-'));
const env = { SHAREXPRESS_CONFIG_DIR: dir };
before(
  () =>
    new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        resolve();
      }),
    ),
);
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const store = (accessToken: string, expiresAt = '2099-01-01T00:00:00.000Z') =>
  saveCredentials(base, { email: 'a@example.com', accessToken, refreshToken, expiresAt }, env);

test('no stored tokens: exit 3, "run sharexpress login"', () => {
  assert.throws(
    () => userClient('http://127.0.0.1:9', env),
    (err: unknown) =>
      err instanceof CliError &&
      err.exitCode === EXIT.AUTH &&
      /sharexpress login/.test(err.message),
  );
});

test('a 401 refreshes once for all concurrent requests, and the new tokens are saved', async () => {
  store('stale');
  refreshes = 0;
  const client = userClient(base, env);
  const answers = await Promise.all(
    [1, 2, 3, 4].map((i) => client.request<{ ok: boolean }>('GET', `/thing/${i}`)),
  );
  assert.deepEqual(
    answers.map((a) => a.ok),
    [true, true, true, true],
  );
  assert.equal(refreshes, 1);
  const saved = loadCredentials(base, env);
  assert.equal(saved?.accessToken, valid);
  assert.equal(saved?.refreshToken, refreshToken);
  assert.equal(client.token(), valid);
  assert.equal(await client.request('DELETE', '/thing/1'), undefined);
});

test('an access token about to expire is refreshed before the request', async () => {
  store(valid, new Date(Date.now() + 5000).toISOString());
  refreshes = 0;
  await userClient(base, env).request('GET', '/x');
  assert.equal(refreshes, 1);
});

test('another process refreshed meanwhile: its saved tokens are used, the spent one never sent', async () => {
  store('stale');
  const client = userClient(base, env);
  // "Another process" with the same stored tokens refreshes first and saves.
  refreshes = 0;
  await userClient(base, env).request('GET', '/y');
  assert.equal(refreshes, 1);
  await client.request('GET', '/z');
  assert.equal(refreshes, 1);
});

test('a refused refresh forgets the stored tokens and says to log in', async () => {
  store('stale');
  refuseRefresh = true;
  try {
    await assert.rejects(userClient(base, env).request('GET', '/x'), (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.exitCode, EXIT.AUTH);
      assert.match(err.message, /run `sharexpress login`/);
      return true;
    });
    assert.equal(loadCredentials(base, env), null);
  } finally {
    refuseRefresh = false;
  }
});

test('problem answers become CliErrors with Retry-After; expect takes an error status as an answer', async () => {
  await assert.rejects(anonClient(base).request('GET', '/limited'), (err: unknown) => {
    assert.ok(err instanceof CliError);
    assert.equal(err.exitCode, EXIT.LIMITED);
    assert.match(err.message, /17 s/);
    return true;
  });
  const body = await anonClient(base).request<{ code: string }>('GET', '/limited', undefined, {
    expect: [200, 429],
  });
  assert.equal(body.code, 'RATE_LIMITED');
});

test('no server there: exit 8, "Cannot reach"', async () => {
  await assert.rejects(anonClient('http://127.0.0.1:9').request('GET', '/'), (err: unknown) => {
    assert.ok(err instanceof CliError);
    assert.equal(err.exitCode, EXIT.UNAVAILABLE);
    assert.match(err.message, /^Cannot reach http:\/\/127\.0\.0\.1:9/);
    return true;
  });
});
