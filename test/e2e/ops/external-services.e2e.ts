// `npm start` with MONGODB_URI and S3_ENDPOINT set starts no devstack: the launcher only runs
// the API and the worker against those services (here the test backends, or real ones).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { indicatorStatus, probe } from '../../support/probe.js';
import { compiledRoot, withFreePorts } from './ops-helpers.js';
import { exitedAfterOutput } from '../../support/api-process.js';

const backends = await startTestBackends();
const dataDir = mkdtempSync(join(tmpdir(), 'sx-external-'));
after(async () => {
  await backends.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start against external services', { timeout: 90_000 }, () => {
  it('runs both apps without starting a devstack and stops cleanly', async () => {
    // The launcher is told port numbers; a port taken in between is tried again with others.
    await withFreePorts(2, async ([api, worker]) => {
      const child = spawn(
        process.execPath,
        [join(compiledRoot, 'libs/devstack/src/embedded/launcher.js')],
        {
          env: {
            PATH: process.env.PATH ?? '',
            LOG_LEVEL: 'warn',
            HOST: '127.0.0.1',
            DATA_DIR: dataDir,
            PORT: String(api),
            WORKER_PORT: String(worker),
            MONGODB_URI: `${backends.mongoUri}/sx_external`,
            S3_ENDPOINT: backends.s3.endpoint,
            S3_REGION: backends.s3.region,
            S3_BUCKET: backends.s3.bucket,
            S3_ACCESS_KEY_ID: backends.s3.accessKeyId,
            S3_SECRET_ACCESS_KEY: backends.s3.secretAccessKey,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = exitedAfterOutput(child).then(({ code }) => code);
      try {
        for (const port of [api, worker]) {
          await eventually(`:${String(port)}/health/ready = 200`, 60_000, async () => {
            if (child.exitCode !== null) assert.fail(`launcher exited:\n${output}`);
            const ready = await probe(`http://127.0.0.1:${String(port)}/health/ready`);
            return ready.status === 200 && indicatorStatus(ready.body, 'storage') === 'up'
              ? true
              : undefined;
          });
        }
        await eventually('the banner', 10_000, () =>
          Promise.resolve(output.includes('Press Ctrl-C') ? true : undefined),
        );
        assert.match(output, /running against external MongoDB and S3/);
        assert.doesNotMatch(output, /starting the devstack/);
        assert.ok(!existsSync(join(dataDir, 'mongo')) && !existsSync(join(dataDir, 's3')));
      } catch (err) {
        assert.fail(
          `${err instanceof Error ? err.message : String(err)}\nlauncher output:\n${output}`,
        );
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, output);
    });
  });
});
