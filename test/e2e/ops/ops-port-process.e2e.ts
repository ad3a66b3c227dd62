// OPS_PORT in the compiled entry point, as the deployments run it: a bad value stops the API at
// once with a line naming OPS_PORT; a good one opens the second listener, which reports the
// traffic PORT served and closes with the process on SIGTERM (exit 0, both ports let go). In
// production without OPS_PORT the API warns that /metrics and /docs are on its public port.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runApi, startApiProcess, type ApiProcess } from '../../support/api-process.js';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { canListen, closeServer, listenOnFreePort } from '../../support/ports.js';
import { dropDatabase, testEnv } from '../../support/test-app.js';
import { withFreePorts } from './ops-helpers.js';

// Never reached: the configuration is refused before anything connects.
const UNREACHABLE = {
  PATH: process.env.PATH ?? '',
  MONGODB_URI: 'mongodb://127.0.0.1:9/sx',
  S3_ENDPOINT: 'http://127.0.0.1:9',
  S3_ACCESS_KEY_ID: 'unused',
  S3_SECRET_ACCESS_KEY: 'unused-secret',
};

async function refusedWith(env: Record<string, string>): Promise<string> {
  const run = runApi({ ...UNREACHABLE, ...env });
  const code = await run.exited;
  assert.equal(code, 1, run.stderr());
  return run.stderr();
}

describe('OPS_PORT in the API process', { timeout: 120_000 }, () => {
  let backends: TestBackends;
  const dataDir = mkdtempSync(join(tmpdir(), 'sx-ops-port-'));
  const databases: string[] = [];
  // Each process its own database, dropped afterwards on a real MongoDB.
  const apiEnv = (): Record<string, string> => {
    const env = testEnv(backends, dataDir);
    if (env.MONGODB_URI !== undefined) databases.push(env.MONGODB_URI);
    return env;
  };
  before(async () => {
    backends = await startTestBackends();
  });
  after(async () => {
    if (backends.external.mongo) await Promise.all(databases.map(dropDatabase));
    await backends.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses an OPS_PORT that is PORT, out of range or not a number, naming it', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: '8080', OPS_PORT: '8080' }, 'OPS_PORT: must differ from PORT (8080), got "8080"'],
      [{ OPS_PORT: '70000' }, 'OPS_PORT: must be an integer between 1 and 65535, got "70000"'],
      [{ OPS_PORT: 'metrics' }, 'OPS_PORT: must be an integer between 1 and 65535, got "metrics"'],
    ];
    await Promise.all(
      cases.map(async ([env, line]) => {
        const stderr = await refusedWith(env);
        assert.match(stderr, /^Invalid configuration:\n/);
        // The one problem, in one line, and nothing else wrong.
        assert.deepEqual(
          stderr.split('\n').filter((l) => l.startsWith('  - ')),
          [`  - ${line}`],
        );
      }),
    );
  });

  it('serves /metrics on OPS_PORT only, counting PORT’s traffic; SIGTERM closes both', async () => {
    let opsPort = 0;
    const api: ApiProcess = await withFreePorts(1, ([port = 0]) => {
      opsPort = port;
      return startApiProcess({
        ...apiEnv(),
        LOG_LEVEL: 'info',
        OPS_PORT: String(port),
      });
    });
    const opsUrl = `http://127.0.0.1:${String(opsPort)}`;
    try {
      await eventually('the startup line', 5_000, () =>
        Promise.resolve(
          api.run.stdout().includes(`/metrics and /docs on OPS_PORT ${String(opsPort)} only`) ||
            undefined,
        ),
      );
      await (await fetch(`${api.baseUrl}/health/live`)).text();
      const onPort = await fetch(`${api.baseUrl}/metrics`);
      assert.equal(onPort.status, 404);
      await onPort.text();
      const scrape = await fetch(`${opsUrl}/metrics`);
      assert.equal(scrape.status, 200);
      const text = await scrape.text();
      // This process's PORT traffic, seen from its ops listener.
      assert.match(
        text,
        /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} [1-9]/,
      );
      assert.equal((await fetch(`${opsUrl}/docs-json`)).status, 200);
    } finally {
      assert.equal(await api.stop(), 0, api.run.stderr());
    }
    const port = Number(new URL(api.baseUrl).port);
    assert.equal(await canListen(opsPort), true, 'OPS_PORT let go');
    assert.equal(await canListen(port), true, 'PORT let go');
  });

  it('stops with an error naming OPS_PORT when that port is taken', async () => {
    const { server, port: taken } = await listenOnFreePort();
    try {
      const run = runApi({
        ...apiEnv(),
        // Never bound: the ops listener starts first, and fails.
        PORT: String(taken === 65535 ? 65534 : taken + 1),
        OPS_PORT: String(taken),
      });
      assert.equal(await run.exited, 1, run.stdout());
      assert.match(
        run.stderr(),
        new RegExp(`ops listener on OPS_PORT ${String(taken)}: .*EADDRINUSE`),
      );
    } finally {
      await closeServer(server);
    }
  });

  it('warns in production when /metrics and /docs share PORT', async () => {
    const api = await startApiProcess({
      ...apiEnv(),
      NODE_ENV: 'production',
      PASSWORD_SCRYPT_LOG2N: '17',
      LOG_LEVEL: 'warn',
    });
    try {
      await eventually('the warning', 5_000, () =>
        Promise.resolve(
          api.run.stdout().includes('OPS_PORT is unset: /metrics and /docs are served on PORT') ||
            undefined,
        ),
      );
    } finally {
      assert.equal(await api.stop(), 0, api.run.stderr());
    }
  });
});
