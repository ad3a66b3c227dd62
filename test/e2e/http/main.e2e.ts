// The production entry point as an operator runs it: config errors stop it with exit 1, logs
// are JSON lines with the request id and no secrets, SIGTERM shuts it down with exit 0.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runApi, startApiProcess } from '../../support/api-process.js';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { dropDatabase, testEnv } from '../../support/test-app.js';

describe('apps/api main', () => {
  let backends: TestBackends;
  before(async () => {
    backends = await startTestBackends();
  });
  after(async () => {
    await backends.stop();
  });

  it('refuses a bad configuration with one line per problem and exit code 1', async () => {
    const r = runApi({ PORT: 'abc', S3_SECRET_ACCESS_KEY: 'hunter2-secret' });
    assert.equal(await r.exited, 1);
    const stderr = r.stderr();
    assert.match(stderr, /PORT: must be an integer between 1 and 65535, got "abc"/);
    assert.match(stderr, /MONGODB_URI: is required/);
    assert.match(stderr, /S3_ENDPOINT: is required/);
    assert.doesNotMatch(stderr + r.stdout(), /hunter2/);
  });

  it('serves, logs JSON with request ids and no secrets, and exits 0 on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sx-main-'));
    const env: Record<string, string> = { ...testEnv(backends, dataDir), LOG_LEVEL: 'info' };
    const api = await startApiProcess(env);
    const { run: r, baseUrl: base } = api;
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
