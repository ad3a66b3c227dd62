// The Dockerfile and its build context, checked without a Docker engine: the stages and what
// each copies, the user, labels, entry point and health check (both run here for real).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeServer, listenOnFreePort } from '../support/ports.js';
import { isExcluded, readDockerignore } from './dockerignore.js';
import {
  copiesOf,
  execForm,
  instructionsOf,
  labelsOf,
  parseDockerfile,
  type Stage,
} from './dockerfile.js';
import { readRepoFile, repoPath, repoRoot, trackedFiles } from './repo-files.js';

const dockerfile = parseDockerfile();
const stage = (name: string) => {
  const found = dockerfile.stages.find((s) => s.name === name);
  assert.ok(found, `the Dockerfile has no "${name}" stage`);
  return found;
};
const runtime: Stage = dockerfile.stages.at(-1) ?? assert.fail('the Dockerfile has no stage');

/** The value of the runtime stage's ENV `name`. */
function runtimeEnv(name: string): string | undefined {
  for (const { args } of instructionsOf(runtime, 'ENV').reverse()) {
    const m = new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(args);
    if (m) return m[1];
  }
  return undefined;
}

describe('Dockerfile', () => {
  it('builds every stage from one Node 24 slim base, pinnable by digest', () => {
    const base = dockerfile.globalArgs.get('NODE_IMAGE');
    assert.match(base ?? '', /^node:24-slim(@sha256:[0-9a-f]{64})?$/);
    // .nvmrc names the Node.js line everything runs on: the image, CI (scripts/ensure-node.sh)
    // and package.json's engines follow it.
    const nvmrc = readRepoFile('.nvmrc').trim();
    assert.equal(/^node:(\d+)-slim/.exec(base ?? '')?.[1], nvmrc, 'NODE_IMAGE follows .nvmrc');
    assert.match(
      readRepoFile('scripts/ensure-node.sh'),
      new RegExp(`^REQUIRED_MAJOR=${nvmrc}$`, 'm'),
    );
    const pkg = JSON.parse(readRepoFile('package.json')) as { engines?: { node?: string } };
    assert.equal(pkg.engines?.node, `>=${nvmrc}`);
    const names = dockerfile.stages.map((s) => s.name);
    for (const s of dockerfile.stages) {
      const fromStage = names.slice(0, names.indexOf(s.name)).includes(s.from);
      assert.ok(s.from === '${NODE_IMAGE}' || fromStage, `stage ${s.name} starts from ${s.from}`);
    }
    // test/e2e/ops/production-build.e2e.ts replays the first stage: it must be the build.
    assert.deepEqual(names, ['build', 'prod-deps', 'runtime']);
  });

  it('ships production dependencies only, and the build output', () => {
    const fromStages = copiesOf(runtime).filter((c) => c.from !== undefined);
    const modules = fromStages.filter((c) => c.sources.some((s) => s.endsWith('node_modules')));
    assert.deepEqual(
      modules.map((c) => c.from),
      ['prod-deps'],
    );
    const install = instructionsOf(stage('prod-deps'), 'RUN').map((i) => i.args);
    assert.ok(
      install.some((r) => /\bnpm ci\b/.test(r) && r.includes('--omit=dev')),
      install.join('\n'),
    );
    // From the build stage, its compiled output only (its node_modules hold dev dependencies).
    const fromBuild = fromStages.filter((c) => c.from === 'build').flatMap((c) => c.sources);
    assert.deepEqual(fromBuild, ['/app/dist']);
    assert.equal(instructionsOf(runtime, 'RUN').filter((r) => /\bnpm\b/.test(r.args)).length, 0);
  });

  it('drops only optional packages the apps never load (--omit=optional)', () => {
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
    };
    const dropped = Object.entries(lock.packages)
      .filter(([, p]) => p.dev !== true && (p.optional === true || p.devOptional === true))
      .map(([path]) => path);
    // typescript: @nestjs/swagger's optional peer, loaded by its build plugin only. Another
    // package here would be missing from the image: check it is not needed at runtime.
    assert.deepEqual(dropped, ['node_modules/typescript']);
  });

  it('copies the product and its libraries, never the devstack, tests or secrets', () => {
    const build = stage('build');
    const sources = dockerfile.stages.flatMap((s) =>
      copiesOf(s)
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.sources),
    );
    for (const source of sources) assert.ok(existsSync(repoPath(source)), `COPY ${source}`);
    assert.deepEqual(
      sources.filter((s) => /devstack|(^|\/)test|spec|e2e|secrets|\.env|^\.$|^libs\/?$/.test(s)),
      [],
    );
    // Exactly the libraries the product build (tsconfig.build.json) compiles.
    const tsconfig = JSON.parse(readRepoFile('tsconfig.build.json')) as { include: string[] };
    const productLibs = tsconfig.include
      .map((p) => /^libs\/([^/]+)\//.exec(p)?.[1])
      .filter((lib) => lib !== undefined)
      .map((lib) => `libs/${lib}`);
    const copiedLibs = copiesOf(build)
      .flatMap((c) => c.sources)
      .filter((s) => s.startsWith('libs/'));
    assert.deepEqual(copiedLibs.sort(), productLibs.sort());
  });

  it('runs as an unprivileged numeric user', () => {
    const users = instructionsOf(runtime, 'USER').map((u) => u.args);
    const user = users.at(-1) ?? 'root';
    assert.match(user, /^\d+(:\d+)?$/, 'numeric, so Kubernetes runAsNonRoot can verify it');
    assert.notEqual(Number(user.split(':')[0]), 0);
    assert.equal(runtimeEnv('NODE_ENV'), 'production');
  });

  it('carries the OCI labels, with the license of package.json', () => {
    const labels = labelsOf(runtime);
    const keys = ['title', 'description', 'licenses', 'version', 'revision', 'created', 'source'];
    for (const key of keys) {
      assert.ok(labels.has(`org.opencontainers.image.${key}`), `label ${key}`);
    }
    const pkg = JSON.parse(readRepoFile('package.json')) as { license: string };
    assert.equal(labels.get('org.opencontainers.image.licenses'), pkg.license);
  });
});

const files = trackedFiles();

describe('.dockerignore', { skip: files === undefined && 'not a git checkout' }, () => {
  const patterns = readDockerignore();

  it('lets in every file the Dockerfile copies from the context', () => {
    const sources = dockerfile.stages.flatMap((s) =>
      copiesOf(s)
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.sources),
    );
    for (const source of sources) {
      const inside = (files ?? []).filter((f) => f === source || f.startsWith(`${source}/`));
      const included = inside.filter((f) => !isExcluded(patterns, f));
      assert.ok(included.length > 0, `${source} is left out of the build context`);
    }
    assert.equal(isExcluded(patterns, 'apps/api/src/main.ts'), false);
    assert.equal(isExcluded(patterns, 'libs/storage/src/storage.service.ts'), false);
  });

  it('leaves out secrets, local state, the devstack and every test', () => {
    const mustStayOut = [
      '.env',
      '.git/config',
      'node_modules/yaml/package.json',
      'dist/apps/api/src/main.js',
      'data/keys/jwt-private.pem',
      'deploy/secrets/jwt-private-key.pem',
      'libs/devstack/src/index.ts',
      'test/support/backends.ts',
      'libs/config/src/load-config.spec.ts',
      'libs/files/test/in-memory-files.ts',
    ];
    assert.deepEqual(
      mustStayOut.filter((f) => !isExcluded(patterns, f)),
      [],
    );
    const tracked = (files ?? []).filter((f) =>
      /^(libs\/devstack|test|deploy\/secrets)\/|\.(spec|e2e)\.ts$|(^|\/)test\//.test(f),
    );
    assert.deepEqual(
      tracked.filter((f) => !isExcluded(patterns, f)),
      [],
    );
  });
});

describe('the entry point', () => {
  const entrypoint = execForm(instructionsOf(runtime, 'ENTRYPOINT').at(-1)?.args ?? '', 'ENTRY');
  const cmd = execForm(instructionsOf(runtime, 'CMD').at(-1)?.args ?? '', 'CMD');
  // A `node` that prints what it was asked to run.
  const bin = mkdtempSync(join(tmpdir(), 'sx-entry-'));
  writeFileSync(join(bin, 'node'), '#!/bin/sh\necho "node $*"\n', { mode: 0o755 });
  const script = entrypoint[0] ?? '';

  const run = (...args: string[]) =>
    spawnSync('sh', [repoPath(script.replace(/^\/app\//, '')), ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    });

  it('is the copied script, and the default command is the API', () => {
    const copied = copiesOf(runtime).some((c) => script === `/app/${c.dest.replace(/^\.\//, '')}`);
    assert.ok(copied, `ENTRYPOINT ${script} is not a file the runtime stage copies`);
    assert.deepEqual(cmd, ['api']);
  });

  it('starts the compiled app the command names, passing further arguments on', () => {
    for (const app of ['api', 'worker']) {
      const r = run(app, '--trace-warnings');
      assert.equal(r.status, 0, r.stderr);
      const main = `dist/apps/${app}/src/main.js`;
      assert.equal(r.stdout.trim(), `node ${main} --trace-warnings`);
      // The path the script names is the one `nest build` writes.
      assert.ok(existsSync(repoPath(main)), `${main} (run npx nest build dev first)`);
    }
  });

  it('runs any other command as given, and refuses none at all', () => {
    const other = run('echo', 'hello');
    assert.equal(other.stdout, 'hello\n');
    const none = run();
    assert.equal(none.status, 64);
    assert.match(none.stderr, /usage/);
  });
});

describe('the health check', () => {
  const healthcheck = () => {
    const [declared] = instructionsOf(runtime, 'HEALTHCHECK');
    assert.ok(declared, 'the runtime stage declares a HEALTHCHECK');
    const [command = '', ...args] = execForm(declared.args, 'HEALTHCHECK');
    assert.equal(command, 'node');
    return { flags: declared.args, args };
  };
  const servers: Server[] = [];
  after(async () => {
    await Promise.all(servers.map(closeServer));
  });

  async function serve(status: number): Promise<number> {
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/health/live' ? status : 404;
      res.end();
    });
    servers.push(server);
    const { port } = await listenOnFreePort(server);
    return port;
  }

  async function closedPort(): Promise<number> {
    const { server, port } = await listenOnFreePort();
    await closeServer(server);
    return port;
  }

  // Asynchronously: the servers it probes answer from this process.
  const check = (env: Record<string, string>) =>
    new Promise<number | null>((resolve, reject) => {
      const { args } = healthcheck();
      const child = spawn(process.execPath, args, { env, stdio: 'ignore', timeout: 10_000 });
      child.once('error', reject);
      child.once('exit', (code) => resolve(code));
    });

  it('is healthy when the API answers /health/live on PORT', async () => {
    const env = { PORT: String(await serve(200)), WORKER_PORT: String(await closedPort()) };
    assert.equal(await check(env), 0);
  });

  it('is healthy when the worker answers on WORKER_PORT (nothing on PORT)', async () => {
    const env = { PORT: String(await closedPort()), WORKER_PORT: String(await serve(200)) };
    assert.equal(await check(env), 0);
  });

  it('is unhealthy when the process answers 503 or nothing listens', async () => {
    const failing = { PORT: String(await serve(503)), WORKER_PORT: String(await closedPort()) };
    assert.equal(await check(failing), 1);
    const silent = { PORT: String(await closedPort()), WORKER_PORT: String(await closedPort()) };
    assert.equal(await check(silent), 1);
  });

  it('is declared with a timeout longer than its own fetch timeout', () => {
    const { flags, args } = healthcheck();
    const timeout = /--timeout=(\d+)s/.exec(flags)?.[1];
    const fetchMs = /AbortSignal\.timeout\((\d+)\)/.exec(args.join(' '))?.[1];
    assert.ok(timeout !== undefined && fetchMs !== undefined, flags);
    assert.ok(Number(timeout) * 1000 > Number(fetchMs));
  });
});
