// `npm run devstack` as an operator uses it: start on free ports, read the printed settings,
// connect real clients, stop with SIGTERM (exit 0), restart on the same data directory; bad
// arguments are refused with exit 2 before anything starts.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { MongoClient } from 'mongodb';

// Compiled (run-tests.mjs) the spec runs next to cli.js; from source (tsx) next to cli.ts.
const fromSource = import.meta.url.endsWith('.ts');
const cliPath = fileURLToPath(new URL(`../src/cli.${fromSource ? 'ts' : 'js'}`, import.meta.url));
const nodeArgs = fromSource ? ['--import', 'tsx', cliPath] : [cliPath];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function launch(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  /** Resolves with the KEY=value lines once the last one is printed. */
  const settings = new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no settings printed within 20 s; stderr: ${stderr}`));
    }, 20_000);
    const check = (): void => {
      if (!/^S3_SECRET_ACCESS_KEY=.*\n/m.test(stdout)) return;
      clearTimeout(timer);
      const lines = stdout.trim().split('\n');
      const pairs = lines.map((l): [string, string] => [
        l.split('=')[0] ?? '',
        l.slice(l.indexOf('=') + 1),
      ]);
      resolve(Object.fromEntries(pairs));
    };
    child.stdout.on('data', check);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`exited early (${String(e.code)}): ${e.stderr}`));
    });
  });
  settings.catch(() => {}); // observed by the caller when it awaits
  return { child, exited, settings };
}

describe('npm run devstack', { timeout: 60_000 }, () => {
  let dataDir: string;
  const credentials = {
    accessKeyId: 'AKCLITEST',
    secretAccessKey: randomBytes(16).toString('hex'),
  };
  const env = {
    S3_ACCESS_KEY_ID: credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sx-devstack-cli-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const ports = () => ['--data-dir', dataDir, '--mongo-port', '0', '--s3-port', '0'];

  const s3For = (settings: Record<string, string>) =>
    new S3Client({
      endpoint: settings.S3_ENDPOINT,
      region: settings.S3_REGION,
      credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    });

  it('prints working settings, serves both protocols and exits 0 on SIGTERM', async () => {
    const run = launch(ports(), env);
    const settings = await run.settings;
    assert.match(settings.MONGODB_URI ?? '', /^mongodb:\/\/127\.0\.0\.1:\d+\//);
    assert.match(settings.S3_ENDPOINT ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(settings.S3_ACCESS_KEY_ID, credentials.accessKeyId);
    assert.equal(settings.S3_SECRET_ACCESS_KEY, credentials.secretAccessKey);

    const mongo = new MongoClient(settings.MONGODB_URI ?? '', { serverSelectionTimeoutMS: 5000 });
    const s3 = s3For(settings);
    try {
      await mongo
        .db()
        .collection('notes')
        .insertOne({ _id: 'kept', text: 'hello' } as never);
      await s3.send(new CreateBucketCommand({ Bucket: 'cli-test' }));
      await s3.send(new PutObjectCommand({ Bucket: 'cli-test', Key: 'kept.txt', Body: 'hello' }));
    } finally {
      await mongo.close();
      s3.destroy();
    }

    run.child.kill('SIGTERM');
    const exit = await run.exited;
    assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
  });

  it('keeps its data across a restart on the same --data-dir, and SIGINT exits 0', async () => {
    const run = launch(ports(), env);
    const settings = await run.settings;
    const mongo = new MongoClient(settings.MONGODB_URI ?? '', { serverSelectionTimeoutMS: 5000 });
    const s3 = s3For(settings);
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'cli-test', Key: 'kept.txt' }));
      assert.equal(await got.Body?.transformToString(), 'hello');
      const doc = await mongo
        .db()
        .collection('notes')
        .findOne({ _id: 'kept' } as never);
      assert.equal(doc?.text, 'hello', 'MongoDB data persisted under --data-dir');
    } finally {
      await mongo.close();
      s3.destroy();
      run.child.kill('SIGINT');
    }
    const exit = await run.exited;
    assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
  });

  // Each case spawns a process that exits at once; run them side by side.
  describe('bad arguments', { concurrency: true }, () => {
    for (const [args, extraEnv, mentions] of [
      [['--mongo-port', 'abc'], {}, '--mongo-port'],
      [['--s3-port', '70000'], {}, '--s3-port'],
      [['--s3-port'], {}, '--s3-port'],
      [['--bogus'], {}, '--bogus'],
      [['extra'], {}, 'extra'],
      [[], { S3_ACCESS_KEY_ID: 'only-the-id' }, 'S3_SECRET_ACCESS_KEY'],
    ] as const) {
      it(`refuses ${args.join(' ') || 'half the credentials'} with exit 2 and a clear message`, async () => {
        const run = launch([...args], { ...extraEnv });
        const exit = await run.exited;
        assert.equal(exit.code, 2, exit.stderr);
        assert.ok(exit.stderr.includes(mentions), exit.stderr);
        assert.ok(exit.stderr.includes('Usage: npm run devstack'), 'prints the usage');
        assert.equal(exit.stdout, '', 'prints no settings');
      });
    }
  });

  it('--help prints the usage and exits 0', async () => {
    const exit = await launch(['--help']).exited;
    assert.equal(exit.code, 0);
    assert.match(exit.stdout, /--data-dir DIR/);
  });
});
