// Cost of authentication: requests per second of the user-authenticated GET /v1/auth/me against
// the public GET /health/live of the same API process, in one run, as a ratio.
// Run: npm run bench:auth   (BENCH_SECONDS, BENCH_CONNECTIONS to change the load)
//
// Layout: the API runs on the main thread; the devstack's MongoDB and the load generator each
// run on their own worker thread, so neither shares the API's event loop. Each route gets the
// same fixed number of keep-alive connections for the same fixed duration.
//
// Measured on the project machine (Node 20.20, 2 cores, shared with other builds: load ~19),
// 16 connections, 6 s per route, no verification cache (four runs):
//   /v1/auth/me ≈ 0.12-0.20 of /health/live; token check alone ≈ 0.67-0.78;
//   token + shared rate limit ≈ 0.23-0.31.
// The RS256 check is cheap (~0.7 of the public route, about 2% of profile samples); the two
// MongoDB round trips of /me (rate-limit counter, profile read) are what cost, so a verification
// cache would not move the /me figure and is not used (see docs/auth.md).
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Controller, Get, Module } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { Auth, CurrentUser, type UserPrincipal } from '@app/common';

// Breakdown probes: the same token check as /v1/auth/me without its database read, with and
// without the shared (MongoDB) rate limit.
@Controller('bench')
class BenchProbeController {
  @Get('token')
  @Auth('user')
  @SkipThrottle()
  token(@CurrentUser() user: UserPrincipal): { id: string } {
    return { id: user.userId };
  }

  @Get('token-limited')
  @Auth('user')
  tokenLimited(@CurrentUser() user: UserPrincipal): { id: string } {
    return { id: user.userId };
  }
}

@Module({ controllers: [BenchProbeController] })
class BenchProbeModule {}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
// Routes alternate in short slices, so a load change on the machine hits both alike.
const SLICE_SECONDS = 0.5;

interface Target {
  url: string;
  token?: string;
}
interface LoadRequest {
  role: 'load';
  targets: Target[];
  rounds: number;
  connections: number;
}
interface Tally {
  ok: number;
  failed: number;
  seconds: number;
}
type Role = { role: 'mongo' } | LoadRequest;

/** Drives `connections` keep-alive connections in closed loops against one target for a slice. */
async function slice(
  agent: Agent,
  target: Target,
  connections: number,
  tally: Tally,
): Promise<void> {
  const headers = target.token === undefined ? {} : { authorization: `Bearer ${target.token}` };
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(target.url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const started = performance.now();
  const deadline = started + SLICE_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const status = await once().catch(() => 0);
        if (status === 200) tally.ok++;
        else tally.failed++;
      }
    }),
  );
  tally.seconds += (performance.now() - started) / 1000;
}

async function generateLoad(job: LoadRequest): Promise<Tally[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const tallies = job.targets.map(() => ({ ok: 0, failed: 0, seconds: 0 }));
  for (let round = 0; round < job.rounds; round++) {
    for (const [i, target] of job.targets.entries()) {
      await slice(agent, target, job.connections, tallies[i] ?? { ok: 0, failed: 0, seconds: 0 });
    }
  }
  agent.destroy();
  return tallies;
}

async function worker(role: Role): Promise<void> {
  if (role.role === 'mongo') {
    const { startMongoServer } = await import('@app/devstack');
    const mongo = await startMongoServer({ port: 0 });
    parentPort?.postMessage(mongo.uri);
    parentPort?.once('message', () => {
      void mongo.stop().then(() => process.exit(0));
    });
    return;
  }
  parentPort?.postMessage(await generateLoad(role));
}

function runWorker<T>(data: Role): { worker: Worker; first: Promise<T> } {
  const w = new Worker(new URL(import.meta.url), { workerData: data });
  const first = new Promise<T>((resolve, reject) => {
    w.once('message', (message: T) => resolve(message));
    w.once('error', reject);
  });
  return { worker: w, first };
}

/** Requests per second of each target, measured in alternating slices. */
async function measure(targets: Target[]): Promise<number[]> {
  const job = { role: 'load', targets, connections: CONNECTIONS } as const;
  await runWorker<Tally[]>({ ...job, rounds: 2 }).first; // warm-up (JIT, pools)
  const rounds = Math.max(1, Math.round(SECONDS / SLICE_SECONDS));
  const tallies = await runWorker<Tally[]>({ ...job, rounds }).first;
  return tallies.map((t, i) => {
    if (t.failed > 0) throw new Error(`${targets[i]?.url ?? ''}: ${String(t.failed)} failed`);
    return t.ok / t.seconds;
  });
}

async function main(): Promise<void> {
  const { startS3Server } = await import('@app/devstack');
  const { startTestApp } = await import('../support/test-app.js');
  const mongo = runWorker<string>({ role: 'mongo' });
  const mongoUri = await mongo.first;
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-bench-auth-'));
  const s3 = await startS3Server({ port: 0, dataDir });
  const backends = {
    mongoUri,
    s3: { endpoint: s3.endpoint, region: s3.region, ...s3.credentials, bucket: 'bench' },
    external: { mongo: false, s3: false },
    stop: async () => {
      await s3.stop();
    },
  };
  const app = await startTestApp({
    backends,
    env: { RATE_LIMIT_MAX: '1000000' },
    extraModules: [BenchProbeModule],
  });
  try {
    const email = `bench-${String(Date.now())}@example.com`;
    const password = 'correct horse battery staple';
    const post = (path: string, body: unknown) =>
      fetch(`${app.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post('/v1/auth/register', { email, password });
    const { accessToken } = (await (await post('/v1/auth/login', { email, password })).json()) as {
      accessToken: string;
    };

    const targets: [string, Target][] = [
      ['GET /health/live (public)', { url: `${app.baseUrl}/health/live` }],
      ['GET /v1/auth/me', { url: `${app.baseUrl}/v1/auth/me`, token: accessToken }],
      ['  token check only', { url: `${app.baseUrl}/bench/token`, token: accessToken }],
      ['  token + rate limit', { url: `${app.baseUrl}/bench/token-limited`, token: accessToken }],
    ];
    const rates = await measure(targets.map(([, target]) => target));
    const health = rates[0] ?? 1;
    console.log(`${String(CONNECTIONS)} keep-alive connections, ${String(SECONDS)} s per route`);
    for (const [i, [label]] of targets.entries()) {
      const rate = rates[i] ?? 0;
      console.log(
        `${label.padEnd(28)} ${rate.toFixed(0).padStart(7)} req/s  ratio ${(rate / health).toFixed(2)}`,
      );
    }
  } finally {
    await app.close();
    await backends.stop();
    mongo.worker.postMessage('stop');
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (isMainThread) await main();
else await worker(workerData as Role);
