// A process manager signals the process it started, which for `npm start` is npm (or the shell
// npm runs the script in). Neither passes SIGTERM on to the launcher: the launcher, the API and
// the worker must stop anyway, and free their ports, instead of living on as orphans.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { probe } from '../../support/probe.js';
import { compiledRoot, withFreePorts } from './ops-helpers.js';

const backends = await startTestBackends();
const work = mkdtempSync(join(tmpdir(), 'sx-start-signals-'));
after(async () => {
  await backends.stop();
  rmSync(work, { recursive: true, force: true });
});

const launcher = join(compiledRoot, 'libs/devstack/src/embedded/launcher.js');

function appsEnv(ports: number[]): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATA_DIR: join(work, 'data'),
    PORT: String(ports[0]),
    WORKER_PORT: String(ports[1]),
    MONGODB_URI: `${backends.mongoUri}/sx_start_signals`,
    S3_ENDPOINT: backends.s3.endpoint,
    S3_REGION: backends.s3.region,
    S3_BUCKET: backends.s3.bucket,
    S3_ACCESS_KEY_ID: backends.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: backends.s3.secretAccessKey,
  };
}

const answers = async (port: number): Promise<boolean> => {
  try {
    return (await probe(`http://127.0.0.1:${String(port)}/health/live`, 2_000)).status === 200;
  } catch {
    return false;
  }
};

async function signalTheStarterAndExpectEverythingGone(
  starter: ChildProcess,
  ports: number[],
  output: () => string,
): Promise<void> {
  for (const port of ports) {
    await eventually(`:${String(port)} to answer`, 60_000, async () => {
      if (starter.exitCode !== null) assert.fail(`the starter exited early:\n${output()}`);
      return (await answers(port)) ? true : undefined;
    });
  }
  starter.kill('SIGTERM');
  for (const port of ports) {
    await eventually(`:${String(port)} to stop answering`, 20_000, async () =>
      (await answers(port)) ? undefined : true,
    );
  }
  await eventually('the launcher to say why it stopped', 5_000, () =>
    Promise.resolve(
      /parent process \(npm or its shell\) exited|SIGTERM/.test(output()) || undefined,
    ),
  );
}

function capture(child: ChildProcess): () => string {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return () => output;
}

describe('npm start when its npm or shell process is signalled', { timeout: 120_000 }, () => {
  it('stops the launcher and both apps when the shell running it gets SIGTERM', async () => {
    await withFreePorts(2, async (ports) => {
      // `; exit $?` keeps the shell from exec-ing node, as npm's script shell does.
      const shell = spawn('sh', ['-c', `"${process.execPath}" "${launcher}"; exit $?`], {
        env: appsEnv(ports),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await signalTheStarterAndExpectEverythingGone(shell, ports, capture(shell));
    });
  });

  it('stops the launcher and both apps when npm itself gets SIGTERM', async () => {
    const project = join(work, 'project');
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'start-signals',
        private: true,
        scripts: { start: `node "${launcher}"` },
      }),
    );
    await withFreePorts(2, async (ports) => {
      const npm = spawn('npm', ['start', '--silent'], {
        cwd: project,
        env: appsEnv(ports),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await signalTheStarterAndExpectEverythingGone(npm, ports, capture(npm));
    });
  });
});
