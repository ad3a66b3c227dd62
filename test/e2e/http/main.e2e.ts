// The production entry point as an operator runs it: config errors stop it with exit 1, logs
// are JSON lines with the request id and no secrets, SIGTERM shuts it down with exit 0.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { withFreePorts } from '../../support/ports.js';
import { dropDatabase, testEnv } from '../../support/test-app.js';

const MAIN = fileURLToPath(new URL('../../../apps/api/src/main.js', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for `url` to answer; fails at once (with its stderr) if the process exits first. */
async function waitUntilUp(r: Run, url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (r.child.exitCode !== null) {
      throw new Error(`exited with ${String(r.child.exitCode)} before listening:\n${r.stderr()}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not up within ${String(deadlineMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('apps/api main', () => {
  let backends: TestBackends;
  before(async () => {
    backends = await startTestBackends();
  });
  after(async () => {
    await backends.stop();
  });

  it('refuses a bad configuration with one line per problem and exit code 1', async () => {
    const r = run({ PORT: 'abc', S3_SECRET_ACCESS_KEY: 'hunter2-secret' });
    assert.equal(await r.exited, 1);
    const stderr = r.stderr();
    assert.match(stderr, /PORT: must be an integer between 1 and 65535, got "abc"/);
    assert.match(stderr, /MONGODB_URI: is required/);
    assert.match(stderr, /S3_ENDPOINT: is required/);
    assert.doesNotMatch(stderr + r.stdout(), /hunter2/);
  });

  it('serves, logs JSON with request ids and no secrets, and exits 0 on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sx-main-'));
    // The entry point must be told its PORT: a port taken in between is retried, not ignored.
    const started = await withFreePorts(1, async ([port = 0]) => {
      const env: Record<string, string> = {
        ...testEnv(backends, dataDir),
        PORT: String(port),
        LOG_LEVEL: 'info',
      };
      const r = run(env);
      try {
        await waitUntilUp(r, `http://127.0.0.1:${String(port)}/health/live`, 30_000);
      } catch (err) {
        r.child.kill('SIGKILL');
        await r.exited;
        throw new Error(`${String(err)}\n${r.stdout()}`, { cause: err });
      }
      return { r, env, base: `http://127.0.0.1:${String(port)}` };
    });
    const { r, env, base } = started;
    try {
      const res = await fetch(`${base}/v1/no-such-route?token=query-secret`, {
        headers: { 'x-request-id': 'main-e2e-1', authorization: 'Bearer header-secret' },
      });
      assert.equal(res.status, 404);
    } finally {
      r.child.kill('SIGTERM');
    }
    assert.equal(await r.exited, 0, r.stderr());
    await rm(dataDir, { recursive: true, force: true });
    if (backends.external.mongo) await dropDatabase(env.MONGODB_URI ?? '');
    const lines = r
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { reqId?: string; msg?: string });
    assert.ok(lines.length > 0, 'JSON log lines');
    assert.ok(
      lines.some((line) => line.reqId === 'main-e2e-1'),
      'the request is logged with its id',
    );
    assert.doesNotMatch(r.stdout(), /header-secret|query-secret/);
  });
});
