import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/sharexpress.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'sx-main-'));
after(() => rmSync(home, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    input: '',
    env: { PATH: process.env.PATH ?? '', HOME: home, SHAREXPRESS_CONFIG_DIR: home, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('--help lists every command with a line each, exit 0', () => {
  const r = run(['--help']);
  assert.equal(r.code, 0);
  for (const name of ['login', 'logout', 'register', 'send', 'receive', 'sessions', 'close']) {
    assert.match(r.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  }
  assert.match(r.stdout, /SHAREXPRESS_URL/);
});

test('--version prints the package version', () => {
  const r = run(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('each command has its own --help', () => {
  for (const name of ['login', 'logout', 'register', 'sessions', 'close']) {
    const r = run([name, '--help']);
    assert.equal(r.code, 0, name);
    assert.match(r.stdout, new RegExp(`^Usage: sharexpress ${name}`), name);
  }
});

test('an unknown command is a usage error (2) with a suggestion', () => {
  const r = run(['sesions']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown command: sesions\. Did you mean `sessions`\?/);
});

test('not signed in: exit 3; with --json an error line on stdout', () => {
  const r = run(['sessions', '--json'], { SHAREXPRESS_URL: 'http://127.0.0.1:9' });
  assert.equal(r.code, 3);
  const line = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(line.event, 'error');
  assert.equal(line.code, 'NOT_SIGNED_IN');
  assert.equal(line.exitCode, 3);
  assert.match(
    String(line.message),
    /Not signed in to http:\/\/127\.0\.0\.1:9: run `sharexpress login`/,
  );
});

// A port nobody listens on (fetch refuses some well-known ones outright, such as 9).
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

test('no server there: exit 8, "Cannot reach" with the reason', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const r = run(['login', '--email', 'a@example.com', '--password-stdin', '--server', url]);
  // stdin is empty: the password check comes first.
  assert.equal(r.code, 2);
  const r2 = spawnSync(
    process.execPath,
    [bin, 'login', '--email', 'a@example.com', '--password-stdin'],
    {
      encoding: 'utf8',
      input: 'a password',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        SHAREXPRESS_CONFIG_DIR: home,
        SHAREXPRESS_URL: url,
      },
    },
  );
  assert.equal(r2.status, 8);
  assert.ok(r2.stderr.includes(`Cannot reach ${url} (ECONNREFUSED)`), r2.stderr);
});

test('a malformed --server is a usage error', () => {
  assert.equal(run(['sessions', '--server', 'ftp://x']).code, 2);
});
