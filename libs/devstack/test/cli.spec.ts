// `npm run devstack` as an operator uses it: start on free ports, read the printed settings,
// connect real clients, stop with SIGTERM (exit 0), restart on the same data directory; bad
// arguments are refused with exit 2 before anything starts.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { MongoClient } from 'mongodb';
import { listenOnFreePort } from '../../../test/support/ports.js';
import { testS3Client } from '../../../test/support/s3-client.js';
import { parseCli, UsageError } from '../src/cli/args.js';
import { envLine } from '../src/cli/env-lines.js';

// Compiled (run-tests.mjs) the spec runs next to cli.js; from source (tsx) next to cli.ts.
const fromSource = import.meta.url.endsWith('.ts');
const cliPath = fileURLToPath(new URL(`../src/cli.${fromSource ? 'ts' : 'js'}`, import.meta.url));
const execFileAsync = promisify(execFile);
const nodeArgs = fromSource ? ['--import', 'tsx', cliPath] : [cliPath];

const NAMES = [
  'MONGODB_URI',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
];

/** What a user gets from `eval "$(npm run -s devstack)"`: the printed lines evaluated by sh. */
async function evalInShell(lines: string): Promise<Record<string, string>> {
  const script = `eval "$1"; printf '%s\\0' ${NAMES.map((n) => `"$${n}"`).join(' ')}`;
  const { stdout } = await execFileAsync('sh', ['-c', script, 'sh', lines]);
  const values = stdout.split('\0');
  return Object.fromEntries(NAMES.map((n, i) => [n, values[i] ?? '']));
}

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
  /** Resolves with the printed settings once the last line is out (or fails after 30 s). */
  const settings = () =>
    new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no settings printed within 30 s; stderr: ${stderr}`));
      }, 30_000);
      const check = (): void => {
        if (!/^S3_SECRET_ACCESS_KEY=.*\n/m.test(stdout)) return;
        clearTimeout(timer);
        evalInShell(stdout).then(resolve, reject);
      };
      child.stdout.on('data', check);
      check();
      void exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`exited early (${String(e.code)}): ${e.stderr}`));
      });
    });
  return { child, exited, settings };
}

describe('npm run devstack', { timeout: 120_000 }, () => {
  let dataDir: string;
  const credentials = {
    accessKeyId: 'AKCLITEST',
    // Quotes, a dollar and spaces: the printed lines must still evaluate to the exact secret.
    secretAccessKey: `it's $HOME "quoted" ${randomBytes(8).toString('hex')}`,
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
    testS3Client({
      endpoint: settings.S3_ENDPOINT ?? '',
      region: settings.S3_REGION ?? '',
      credentials,
    });

  it('prints working settings, serves both protocols and exits 0 on SIGTERM', async () => {
    const run = launch(ports(), env);
    const settings = await run.settings();
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
    const settings = await run.settings();
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

  for (const [args, mentions] of [
    [['--mongo-port', 'abc'], '--mongo-port'],
    [['--bogus'], '--bogus'],
  ] as const) {
    it(`refuses ${args.join(' ')} with exit 2, the reason and the usage`, async () => {
      const exit = await launch([...args]).exited;
      assert.equal(exit.code, 2, exit.stderr);
      assert.ok(exit.stderr.includes(mentions), exit.stderr);
      assert.ok(exit.stderr.includes('Usage: npm run devstack'), 'prints the usage');
      assert.equal(exit.stdout, '', 'prints no settings');
    });
  }

  it('an explicit port that is taken fails with exit 1 and says so', async () => {
    const { server: blocker, port } = await listenOnFreePort();
    try {
      const exit = await launch([
        '--data-dir',
        dataDir,
        '--mongo-port',
        '0',
        '--s3-port',
        String(port),
      ]).exited;
      assert.equal(exit.code, 1, exit.stderr);
      assert.match(exit.stderr, new RegExp(`port ${String(port)} is already in use`));
      assert.equal(exit.stdout, '');
    } finally {
      blocker.close();
    }
  });

  it('--help prints the usage and exits 0', async () => {
    const exit = await launch(['--help']).exited;
    assert.equal(exit.code, 0);
    assert.match(exit.stdout, /--data-dir DIR/);
  });
});

describe('devstack arguments', () => {
  const parse = (argv: string[], env: Record<string, string> = {}) =>
    parseCli(argv, env, '/work/project');

  for (const [argv, env, mentions] of [
    [['--s3-port', '70000'], {}, '--s3-port'],
    [['--mongo-port', '-1'], {}, '--mongo-port'],
    [['--mongo-port', '1e3'], {}, '--mongo-port'],
    [['--s3-port'], {}, '--s3-port'],
    [['--data-dir', ''], {}, '--data-dir'],
    [['extra'], {}, 'extra'],
    [[], { S3_ACCESS_KEY_ID: 'only-the-id' }, 'S3_SECRET_ACCESS_KEY'],
    [[], { S3_SECRET_ACCESS_KEY: 'only-the-secret' }, 'S3_ACCESS_KEY_ID'],
  ] as const) {
    it(`refuses ${argv.join(' ') || Object.keys(env).join(' ')}, naming ${mentions}`, () => {
      assert.throws(
        () => parse([...argv], { ...env }),
        (err: unknown) => err instanceof UsageError && err.message.includes(mentions),
      );
    });
  }

  it('defaults to ./data/devstack and the usual ports, which may fall back to free ones', () => {
    const command = parse([]);
    assert.ok(!command.help);
    assert.equal(command.plan.dataDir, '/work/project/data/devstack');
    assert.deepEqual(command.plan.mongoPort, { port: 27018, explicit: false });
    assert.deepEqual(command.plan.s3Port, { port: 9000, explicit: false });
    assert.equal(command.plan.credentials, undefined);
    assert.equal(command.region, 'us-east-1');
  });

  it('takes explicit ports (a taken one is then an error), a data dir, credentials and region', () => {
    const command = parse(['--data-dir=../elsewhere', '--mongo-port', '0', '--s3-port', '9100'], {
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_REGION: 'eu-west-3',
    });
    assert.ok(!command.help);
    assert.equal(command.plan.dataDir, '/work/elsewhere');
    assert.deepEqual(command.plan.mongoPort, { port: 0, explicit: true });
    assert.deepEqual(command.plan.s3Port, { port: 9100, explicit: true });
    assert.deepEqual(command.plan.credentials, { accessKeyId: 'id', secretAccessKey: 'secret' });
    assert.equal(command.region, 'eu-west-3');
  });
});

describe('devstack settings lines', () => {
  it('leaves shell-safe values bare and single-quotes the rest', () => {
    assert.equal(
      envLine('S3_ENDPOINT', 'http://127.0.0.1:9000'),
      'S3_ENDPOINT=http://127.0.0.1:9000',
    );
    assert.equal(envLine('K', `it's $x`), `K='it'\\''s $x'`);
    assert.equal(envLine('K', ''), 'K=');
  });
});
