// `npm start`'s embedded default, end to end: the compiled launcher starts the devstack, the API
// and the worker; /health/ready turns 200 with mongo and storage up; Ctrl-C exits 0; a restart
// on the same DATA_DIR keeps the data; an app that dies takes everything down with exit 1.
// Also: the production entry points never start a devstack (they need their configuration).
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MongoClient } from 'mongodb';
import { eventually } from '../../support/eventually.js';
import { indicatorStatus, probe } from '../../support/probe.js';
import { testS3Client } from '../../support/s3-client.js';
import { compiledRoot, freePort, withFreePorts } from './ops-helpers.js';
import { exitedAfterOutput } from '../../support/api-process.js';

const LAUNCHER = join(compiledRoot, 'libs/devstack/src/embedded/launcher.js');
const CREDENTIALS = { accessKeyId: 'embedded-test', secretAccessKey: 'embedded-test-secret' };

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(entry: string, env: Record<string, string>): Running {
  // Its own process group, so a test can signal launcher and apps at once, as Ctrl-C does.
  const child = spawn(process.execPath, [entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = exitedAfterOutput(child);
  return { child, output: () => output, exited };
}

async function exitWithin(running: Running, ms: number): Promise<number | null> {
  const timer = setTimeout(() => running.child.kill('SIGKILL'), ms);
  const { code, signal } = await running.exited;
  clearTimeout(timer);
  assert.equal(signal, null, `killed after ${String(ms)} ms:\n${running.output()}`);
  return code;
}

const dataDir = mkdtempSync(join(tmpdir(), 'sx-embedded-'));
const started: Running[] = [];
after(() => {
  for (const { child } of started) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

// The short refusals run alongside the long start/restart test (distinct ports, own processes).
describe('npm start embedded default', { timeout: 120_000, concurrency: true }, () => {
  // The devstack binds port 0 itself (read back from the banner); the apps must be told numbers,
  // so each launch takes fresh ones and tries again if one was taken in between.
  const ports = { api: 0, worker: 0 };
  let env: Record<string, string> = {};

  const launch = (): Promise<{ running: Running; mongoUri: string; s3Endpoint: string }> =>
    withFreePorts(2, ([api = 0, worker = 0]) => {
      ports.api = api;
      ports.worker = worker;
      env = { ...env, PORT: String(api), WORKER_PORT: String(worker) };
      return launchOnce();
    });

  async function launchOnce(): Promise<{ running: Running; mongoUri: string; s3Endpoint: string }> {
    const running = run(LAUNCHER, env);
    started.push(running);
    // The banner is printed once both apps answer /health/live.
    const banner = await eventually('the startup banner', 60_000, () => {
      // Ends the wait at once; EADDRINUSE in the output makes withFreePorts try other ports.
      if (running.child.exitCode !== null) assert.fail(`launcher exited:\n${running.output()}`);
      return Promise.resolve(
        running.output().includes('Press Ctrl-C') ? running.output() : undefined,
      );
    });
    const mongoUri = /MongoDB\s+(mongodb:\/\/\S+)/.exec(banner)?.[1];
    const s3Endpoint = /S3\s+(http:\/\/\S+)/.exec(banner)?.[1];
    assert.ok(mongoUri !== undefined && s3Endpoint !== undefined, banner);
    const api = `http://127.0.0.1:${String(ports.api)}`;
    for (const base of [api, `http://127.0.0.1:${String(ports.worker)}`]) {
      await eventually(`${base}/health/ready = 200`, 60_000, async () => {
        const ready = await probe(`${base}/health/ready`);
        if (ready.status !== 200) return undefined;
        assert.equal(indicatorStatus(ready.body, 'mongo'), 'up');
        assert.equal(indicatorStatus(ready.body, 'storage'), 'up');
        return true;
      });
    }
    assert.equal((await probe(`${api}/docs-json`)).status, 200);
    return { running, mongoUri, s3Endpoint };
  }

  const s3Client = (endpoint: string): S3Client =>
    testS3Client({ endpoint, region: 'us-east-1', credentials: CREDENTIALS });

  it('starts the devstack, the bucket with CORS and both apps; Ctrl-C exits 0; a restart keeps the data', async () => {
    env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEVSTACK_MONGO_PORT: '0',
      DEVSTACK_S3_PORT: '0',
      S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };

    const first = await launch();
    assert.match(first.mongoUri, /:\d+\/sharexpress$/);
    // The bucket lets the web app (PUBLIC_URL) upload from a browser, and nobody else.
    const preflight = (origin: string): Promise<Response> =>
      fetch(`${first.s3Endpoint}/sharexpress/some/key`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type,x-amz-checksum-sha256',
        },
      });
    const allowed = await preflight(`http://localhost:${String(ports.api)}`);
    assert.equal(allowed.status, 200);
    assert.equal(
      allowed.headers.get('access-control-allow-origin'),
      `http://localhost:${String(ports.api)}`,
    );
    assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /PUT/);
    const foreign = await preflight('https://evil.example');
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    const mongo = new MongoClient(first.mongoUri, { serverSelectionTimeoutMS: 5_000 });
    await mongo
      .db()
      .collection('ops_markers')
      .insertOne({ _id: 'restart', value: 42 } as never);
    await mongo.close();
    const s3 = s3Client(first.s3Endpoint);
    await s3.send(
      new PutObjectCommand({ Bucket: 'sharexpress', Key: 'ops/marker.txt', Body: 'kept' }),
    );
    s3.destroy();

    // Ctrl-C in a terminal: SIGINT to the whole foreground process group.
    process.kill(-(first.running.child.pid ?? 0), 'SIGINT');
    assert.equal(await exitWithin(first.running, 30_000), 0, first.running.output());
    assert.match(first.running.output(), /devstack stopped/);
    // Both apps drained and exited on their own, within the grace period.
    assert.doesNotMatch(first.running.output(), /did not stop within/);
    // On Node 24 the AWS SDK has no runtime warning to print (it warned on Node 20).
    assert.doesNotMatch(first.running.output(), /NodeVersionSupportWarning|upgrade to node/i);
    // Nothing listens any more: the apps are gone, not orphaned.
    await assert.rejects(probe(`http://127.0.0.1:${String(ports.api)}/health/live`, 2_000));
    await assert.rejects(probe(`http://127.0.0.1:${String(ports.worker)}/health/live`, 2_000));

    const second = await launch();
    const again = new MongoClient(second.mongoUri, { serverSelectionTimeoutMS: 5_000 });
    const doc = await again
      .db()
      .collection('ops_markers')
      .findOne({ _id: 'restart' } as never);
    await again.close();
    assert.equal(doc?.value, 42);
    const s3Again = s3Client(second.s3Endpoint);
    const object = await s3Again.send(
      new GetObjectCommand({ Bucket: 'sharexpress', Key: 'ops/marker.txt' }),
    );
    assert.equal(await object.Body?.transformToString(), 'kept');
    s3Again.destroy();

    // An app that dies on its own brings everything down with a clear message and exit 1.
    const apiPid = childPid(second.running.child, 'apps/api/src/main.js');
    process.kill(apiPid, 'SIGKILL');
    assert.equal(await exitWithin(second.running, 30_000), 1, second.running.output());
    assert.match(second.running.output(), /api was killed by SIGKILL unexpectedly/);
    await assert.rejects(probe(`http://127.0.0.1:${String(ports.worker)}/health/live`, 2_000));
  });

  it('refuses MONGODB_URI without S3_ENDPOINT with exit 1 and starts nothing', async () => {
    const running = run(LAUNCHER, {
      PATH: process.env.PATH ?? '',
      MONGODB_URI: 'mongodb://127.0.0.1:1/sharexpress',
      DATA_DIR: dataDir,
    });
    started.push(running);
    assert.equal(await exitWithin(running, 15_000), 1);
    assert.match(running.output(), /MONGODB_URI is set but S3_ENDPOINT is not/);
  });

  for (const app of ['api', 'worker']) {
    it(`the production entry point of the ${app} never starts a devstack`, async () => {
      const running = run(join(compiledRoot, `apps/${app}/src/main.js`), {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dataDir,
        // Never bound: the entry point must stop at its configuration check first.
        PORT: String(await freePort()),
        WORKER_PORT: String(await freePort()),
      });
      started.push(running);
      assert.equal(await exitWithin(running, 30_000), 1);
      assert.match(running.output(), /MONGODB_URI: is required/);
      assert.match(running.output(), /S3_ENDPOINT: is required/);
    });
  }
});

/** The pid of the launcher's child whose command line mentions `entry`. */
function childPid(parent: ChildProcess, entry: string): number {
  const pids = execFileSync('pgrep', ['-P', String(parent.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
  const match = pids.find((pid) =>
    readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').includes(entry),
  );
  assert.ok(match !== undefined, `no child running ${entry} among ${pids.join(', ')}`);
  return match;
}
