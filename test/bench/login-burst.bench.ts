// A burst of concurrent logins at the production scrypt cost (2^17): how long the slowest waits,
// and what the others get. Issue 10, finding 3: before the bounded queue, 16 concurrent logins
// waited up to 6 s each.
// Run: npm run bench:login-burst   (BURST, ROUNDS, PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE)
//
// Every login comes from its own client address (TRUST_PROXY=true and X-Forwarded-For
// 10.9.0.x), as a crowd of users would, so the per-address credentials limit never applies and
// only the hashing bound decides. Each address logs into its own account with the right
// password. The devstack's MongoDB and S3 run in a child process: worker threads would share
// this process's libuv pool, which is exactly what the scrypt derivations compete for.
//
// Three runs of the same burst:
//   bounded    the defaults (2 derivations at once, 8 waiting, the rest 503 CREDENTIALS_BUSY);
//   retrying   the same, with clients that honour Retry-After until they are in;
//   unbounded  the queue made effectively unbounded (PASSWORD_HASH_QUEUE=10000), i.e. the
//              behaviour before the bound: everyone waits.
//
// Measured on the shared 2-core project machine (Node 24.22, load 1.5–2.5 from other builds; one
// 2^17 derivation ≈ 0.45–0.5 s there), BURST=32, three rounds each:
//   bounded    slowest 1.9–2.1 s: 6×200 in 0.6–2.1 s, 26×503 CREDENTIALS_BUSY in 0.1–0.5 s
//   retrying   all 32 in 9.0–10.9 s (55–62 retries), none waiting more than ~2 s per request
//   unbounded  slowest 7.2–8.3 s, median 4.1–4.4 s: everyone waits (the behaviour before)
// With PASSWORD_HASH_QUEUE=8: slowest 1.9–5.6 s (10×200, 22×503) under a load of ~3.6.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../apps/api/src/bootstrap.js';

const BURST = Number(process.env.BURST ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PASSWORD = 'correct horse battery staple';

interface Devstack {
  env: Record<string, string>;
  stop(): Promise<void>;
}

async function startDevstack(dataDir: string): Promise<Devstack> {
  const cli = fileURLToPath(new URL('../../libs/devstack/src/cli.js', import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, '--data-dir', dataDir, '--mongo-port', '0', '--s3-port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const env: Record<string, string> = {};
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`devstack exited with ${String(code)}`)));
    lines.on('line', (line) => {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2];
      if (env.MONGODB_URI !== undefined && env.S3_SECRET_ACCESS_KEY !== undefined) resolve();
    });
  });
  return {
    env,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Answer {
  status: number;
  ms: number;
  attempts: number;
}

const address = (i: number): string =>
  `10.9.${String(Math.floor(i / 250))}.${String((i % 250) + 1)}`;
const email = (i: number): string => `burst-${String(i)}@example.com`;

async function loginOnce(baseUrl: string, i: number): Promise<Response> {
  return fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address(i) },
    body: JSON.stringify({ email: email(i), password: PASSWORD }),
  });
}

async function burst(baseUrl: string, retry: boolean): Promise<Answer[]> {
  const start = performance.now();
  return Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      for (let attempts = 1; ; attempts++) {
        const res = await loginOnce(baseUrl, i);
        await res.arrayBuffer();
        if (!retry || res.status !== 503) {
          return { status: res.status, ms: performance.now() - start, attempts };
        }
        const wait = Number(res.headers.get('retry-after') ?? '1');
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }
    }),
  );
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

function describeRound(answers: Answer[]): string {
  const byStatus = new Map<number, number[]>();
  for (const a of answers) byStatus.set(a.status, [...(byStatus.get(a.status) ?? []), a.ms]);
  const parts = [...byStatus.entries()]
    .sort(([x], [y]) => x - y)
    .map(([status, times]) => {
      const sorted = times.sort((x, y) => x - y);
      const first = quantile(sorted, 0).toFixed(0);
      const last = quantile(sorted, 1).toFixed(0);
      const median = quantile(sorted, 0.5).toFixed(0);
      return `${String(times.length)}×${String(status)} (${first}–${last} ms, median ${median})`;
    });
  const slowest = Math.max(...answers.map((a) => a.ms));
  const retries = answers.reduce((n, a) => n + a.attempts - 1, 0);
  return `slowest ${slowest.toFixed(0)} ms; ${parts.join(', ')}${retries > 0 ? `; ${String(retries)} retries` : ''}`;
}

const database = (uri: string, name: string): string => {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
};

async function startApi(devstack: Devstack, dataDir: string, env: Record<string, string>) {
  const config = loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    ...devstack.env,
    MONGODB_URI: database(devstack.env.MONGODB_URI ?? '', `sx_burst_${String(Date.now())}`),
    PASSWORD_SCRYPT_LOG2N: '17',
    TRUST_PROXY: 'true',
    // Only the hashing bound is under test: keep the address limits out of the way.
    RATE_LIMIT_AUTH_MAX: '1000',
    RATE_LIMIT_MAX: '100000',
    ...env,
  });
  const app: NestFastifyApplication = await createApiApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  return { app, config, baseUrl: `http://127.0.0.1:${String(port)}` };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-burst-'));
  const devstack = await startDevstack(join(dataDir, 'devstack'));
  try {
    const scenarios: [string, Record<string, string>, boolean][] = [
      ['bounded', {}, false],
      ['retrying', {}, true],
      ['unbounded', { PASSWORD_HASH_QUEUE: '10000' }, false],
    ];
    for (const [name, env, retry] of scenarios) {
      const overrides: Record<string, string> = { ...env };
      for (const knob of ['PASSWORD_HASH_CONCURRENCY', 'PASSWORD_HASH_QUEUE'] as const) {
        const value = process.env[knob];
        if (value !== undefined && overrides[knob] === undefined) overrides[knob] = value;
      }
      const api = await startApi(devstack, join(dataDir, name), overrides);
      try {
        // Accounts first, a few at a time (registration hashes too).
        for (let i = 0; i < BURST; i += 4) {
          await Promise.all(
            Array.from({ length: Math.min(4, BURST - i) }, async (_, k) => {
              const res = await fetch(`${api.baseUrl}/v1/auth/register`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-forwarded-for': address(i + k) },
                body: JSON.stringify({ email: email(i + k), password: PASSWORD }),
              });
              if (res.status !== 201)
                throw new Error(`register: ${String(res.status)} ${await res.text()}`);
            }),
          );
        }
        const { passwordHashConcurrency, passwordHashQueue } = api.config.auth;
        console.log(
          `${name}: ${String(BURST)} concurrent logins from ${String(BURST)} addresses, scrypt 2^17, ` +
            `${String(passwordHashConcurrency)} running + ${String(passwordHashQueue)} waiting`,
        );
        for (let round = 1; round <= ROUNDS; round++) {
          console.log(
            `  round ${String(round)}: ${describeRound(await burst(api.baseUrl, retry))}`,
          );
        }
      } finally {
        await api.app.close();
      }
    }
  } finally {
    await devstack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
