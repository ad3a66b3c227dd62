// The worker's startup warnings in the compiled entry point, as the deployments run it: an
// ORPHAN_GRACE_SECONDS that loadConfig accepts (tests need short ones) but that is unsafe with
// real traffic is named once the worker listens; the default says nothing. NODE_ENV=test, as the
// tests run, stays silent by design, so these processes run as development.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { dropDatabase, testEnv } from '../../support/test-app.js';
import { startWorkerProcess } from '../worker/worker-process.js';

const WARNING = 'ORPHAN_GRACE_SECONDS=5 is under 300';

describe('worker startup warnings', { timeout: 120_000 }, () => {
  let backends: TestBackends;
  const dataDir = mkdtempSync(join(tmpdir(), 'sx-worker-warnings-'));
  const databases: string[] = [];
  const workerEnv = (extra: Record<string, string>): Record<string, string> => {
    const env: Record<string, string> = {
      ...testEnv(backends, dataDir),
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
    };
    if (env.MONGODB_URI !== undefined) databases.push(env.MONGODB_URI);
    return { ...env, ...extra };
  };
  before(async () => {
    backends = await startTestBackends();
  });
  after(async () => {
    if (backends.external.mongo) await Promise.all(databases.map(dropDatabase));
    await backends.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('warns at startup when ORPHAN_GRACE_SECONDS is unsafely short, not with the default', async () => {
    const [short, fine] = await Promise.all([
      startWorkerProcess('short-grace', workerEnv({ ORPHAN_GRACE_SECONDS: '5' })),
      startWorkerProcess('default-grace', workerEnv({})),
    ]);
    try {
      await eventually('the warning', 5_000, () =>
        Promise.resolve(short.run.stdout().includes(WARNING) || undefined),
      );
      assert.equal(short.run.stdout().split(WARNING).length - 1, 1, 'warned once');
      // Both are listening (/health/live answered), so the default's startup is over.
      assert.doesNotMatch(fine.run.stdout(), /ORPHAN_GRACE_SECONDS/);
    } finally {
      assert.equal(await short.stop(), 0, short.run.stderr());
      assert.equal(await fine.stop(), 0, fine.run.stderr());
    }
  });
});
