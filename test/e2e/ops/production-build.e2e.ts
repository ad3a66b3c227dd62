// The production image, as far as it can be checked without a Docker engine: the Dockerfile's
// build stage is replayed in a temporary folder (its COPY lines, the Nest CLI build, then the
// production dependencies alone), and the result must hold no devstack, no test and no test
// helper, and must still start and answer /health/ready against MongoDB and S3.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { indicatorStatus, probe } from '../../support/probe.js';
import { testEnv } from '../../support/test-app.js';
import { withFreePorts } from './ops-helpers.js';
import { exitedAfterOutput } from '../../support/api-process.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const DEVSTACK_ONLY = ['mingo', 'fast-xml-parser', 'bson', 'aws4', 'tsx'];

/** `COPY <src>... <dest>` lines of the Dockerfile's first (build) stage, without `--from`. */
function buildStageCopies(dockerfile: string): { sources: string[]; dest: string }[] {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const build = (stages[0] ?? '').replace(/\\\n/g, ' ');
  return build
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !line.includes('--from'))
    .map((line) => {
      const words = line.trim().split(/\s+/).slice(1);
      const dest = words.pop() ?? '.';
      return { sources: words, dest };
    });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Top-level folders under node_modules that `npm ls --omit=dev` names (nested ones ride along). */
function productionPackages(): string[] {
  return run('npm', ['ls', '--omit=dev', '--all', '--parseable'], repo)
    .split('\n')
    .map((line) => relative(repo, line.trim()))
    .filter((path) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path));
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('production image contents', { timeout: 180_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'sx-image-'));
  let backends: TestBackends;
  let shipped: string[] = [];

  before(() => {
    const copies = buildStageCopies(readFileSync(join(repo, 'Dockerfile'), 'utf8'));
    assert.ok(copies.length >= 3, 'the Dockerfile has no COPY lines in its build stage');
    for (const { sources, dest } of copies) {
      for (const source of sources) {
        const target =
          sources.length > 1 || dest.endsWith('/') ? join(work, dest, source) : join(work, dest);
        cpSync(join(repo, source), target, { recursive: true });
      }
    }
    // The build stage's `npm ci` (all dependencies) is borrowed from the repository for the
    // build. The runtime gets what `npm prune --omit=dev` would leave: links to the production
    // packages only, which the API then runs on with --preserve-symlinks, so a dev-only package
    // cannot be reached through the repository's full node_modules.
    symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'));
    run(
      process.execPath,
      [join(work, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'api'],
      work,
    );
    run(
      process.execPath,
      [join(work, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'worker'],
      work,
    );
    rmSync(join(work, 'node_modules'));
    for (const path of productionPackages()) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      symlinkSync(join(repo, path), join(work, path));
    }
    shipped = filesUnder(join(work, 'dist')).map((file) => relative(work, file));
  });

  after(async () => {
    await backends?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('compiles both entry points and nothing of the devstack, the tests or their helpers', () => {
    assert.ok(shipped.includes('dist/apps/api/src/main.js'), shipped.join('\n'));
    assert.ok(shipped.includes('dist/apps/worker/src/main.js'), shipped.join('\n'));
    const unwanted = shipped.filter((file) =>
      /(^|\/)(devstack|test|tests|bench)(\/|$)|\.(spec|e2e|testing)\.js|fakes?\//.test(file),
    );
    assert.deepEqual(unwanted, []);
  });

  it('installs no devstack-only package as a production dependency', () => {
    const tree = JSON.parse(run('npm', ['ls', '--omit=dev', '--depth=0', '--json'], repo)) as {
      dependencies?: Record<string, unknown>;
    };
    const direct = Object.keys(tree.dependencies ?? {});
    assert.ok(direct.includes('@nestjs/core'), direct.join(', '));
    assert.deepEqual(
      direct.filter((name) => DEVSTACK_ONLY.includes(name)),
      [],
    );
  });

  it('starts from the built tree with production dependencies only and becomes ready', async () => {
    backends = await startTestBackends();
    // The API is told a port number; a port taken in between is tried again with another.
    await withFreePorts(1, async ([port = 0]) => {
      const env = {
        ...testEnv(backends, join(work, 'data')),
        NODE_ENV: 'production',
        PASSWORD_SCRYPT_LOG2N: '17',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        PATH: process.env.PATH ?? '',
      };
      const child = spawn(
        process.execPath,
        ['--preserve-symlinks', '--preserve-symlinks-main', 'dist/apps/api/src/main.js'],
        { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = exitedAfterOutput(child).then(({ code }) => code);
      try {
        await eventually('the built API to become ready', 30_000, async () => {
          if (child.exitCode !== null) assert.fail(`the API exited:\n${output}`);
          const ready = await probe(`http://127.0.0.1:${String(port)}/health/ready`, 3_000);
          return ready.status === 200 && indicatorStatus(ready.body, 'storage') === 'up'
            ? true
            : undefined;
        });
        assert.doesNotMatch(output, /NodeVersionSupportWarning|Cannot find (module|package)/);
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, output);
    });
  });
});
