// The product's request pipeline against the framework's floor, in one run: a bare NestJS 12 +
// Fastify app (floor/floor.module.ts: hello, hello behind an RS256 guard, the guard plus one
// findOne by _id) and the product's GET /health/live, GET /v1/auth/me, a device's read of its
// session and a device's download grant. Both apps are their own OS process on the same devstack;
// wrk drives 50 keep-alive connections against one target at a time, in slices that rotate over
// all targets, so drift of the machine hits every target alike. Three runs; the medians decide.
// Any non-2xx answer or socket error fails the bench.
// Run: npm run bench:pipeline   (needs wrk: apt-get install -y wrk)
//   BENCH_RUNS (3), BENCH_ROUNDS (3 slices per target per run), BENCH_SLICE_SECONDS (2),
//   BENCH_CONNECTIONS (50), BENCH_PROFILE=1 (both apps run with --cpu-prof into ./profiles)
//
// The product runs as deployed (NODE_ENV=production, LOG_LEVEL=info: one access-log line per
// request, written to /dev/null), with RATE_LIMIT_MAX at its maximum so that nothing is refused:
// the rate limit still runs on every limited route.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_MAIN, exitedAfterOutput } from '../support/api-process.js';
import { freePortNumber } from '../support/ports.js';
import { sharedApiIdentity } from '../support/replica-cluster.js';
import { testEnv } from '../support/test-app.js';
import { api, expectStatus, testBytes, uploadSingle } from '../support/upload-client.js';
import { startBenchBackends } from './support/http-bench.js';
import { wrkScript, wrkSlice, type SliceResult, type WrkTarget } from './support/wrk.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PROFILE = process.env.BENCH_PROFILE === '1';
// Profiling one kind of request: BENCH_ONLY=4 loads only target 4 (numbers as printed, from 0).
const ONLY = process.env.BENCH_ONLY?.split(',').map(Number);
const FLOOR_MAIN = fileURLToPath(new URL('./floor/floor-main.js', import.meta.url));

interface Ratio {
  label: string;
  target: number;
  of: number;
  base: number;
}

interface Served {
  child: ChildProcess;
  baseUrl: string;
  stop(): Promise<void>;
}

/** Spawns `main` with `env` on a free port and waits until `probe` answers 200. */
async function serve(
  main: string,
  env: Record<string, string>,
  portVar: string,
  probe: string,
  nodeArgs: string[] = [],
): Promise<Served> {
  const port = await freePortNumber();
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { PATH: process.env.PATH ?? '', ...env, [portVar]: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = exitedAfterOutput(child);
  const baseUrl = `http://127.0.0.1:${String(port)}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${main} exited with ${String(child.exitCode)}`);
    const ok = await fetch(`${baseUrl}${probe}`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${main} not up within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    baseUrl,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Signs up, opens a session with a paired device and one ready file: the product's targets. */
async function productTargets(base: string): Promise<WrkTarget[]> {
  const email = `bench-${String(Date.now())}@example.com`;
  const password = 'correct horse battery staple';
  await expectStatus(
    await api(base, 'POST', '/v1/auth/register', undefined, { email, password }),
    201,
  );
  const login = await expectStatus<{ accessToken: string }>(
    await api(base, 'POST', '/v1/auth/login', undefined, { email, password }),
    200,
  );
  const userToken = login.accessToken;
  const session = await expectStatus<{ id: string }>(
    await api(base, 'POST', '/v1/sessions', userToken, {
      name: 'bench',
      guestPermissions: ['download'],
      limits: { maxDownloadsPerFile: 1_000_000 },
    }),
    201,
  );
  const pairing = await expectStatus<{ pairingUrl: string }>(
    await api(base, 'POST', `/v1/sessions/${session.id}/pairings`, userToken, {}),
    201,
  );
  const secret = new URL(pairing.pairingUrl).hash.slice(1);
  const claim = await expectStatus<{ accessToken: string }>(
    await api(base, 'POST', '/v1/pairings/claim', undefined, { secret, deviceName: 'bench' }),
    201,
  );
  const file = await uploadSingle(base, userToken, session.id, { bytes: testBytes(1024, 3) });
  const deviceToken = claim.accessToken;
  return [
    { label: 'product GET /health/live', url: `${base}/health/live` },
    { label: 'product GET /v1/auth/me', url: `${base}/v1/auth/me`, token: userToken },
    {
      label: 'product GET /v1/sessions/:id (device)',
      url: `${base}/v1/sessions/${session.id}`,
      token: deviceToken,
    },
    {
      label: 'product POST /v1/files/:id/downloads (device)',
      url: `${base}/v1/files/${file.id}/downloads`,
      token: deviceToken,
      method: 'POST',
    },
  ];
}

interface Tally {
  requests: number;
  seconds: number;
  p50: number[];
  p99: number[];
}

/** One run: ROUNDS rotations over all targets, one slice each; per target req/s, p50, p99. */
async function run(targets: WrkTarget[], scripts: string[], seconds: number, rounds: number) {
  const tallies: Tally[] = targets.map(() => ({ requests: 0, seconds: 0, p50: [], p99: [] }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) {
      const slice: SliceResult = await wrkSlice(target.url, scripts[i] ?? '', seconds, CONNECTIONS);
      if (slice.failures > 0) {
        throw new Error(`${target.label}: ${String(slice.failures)} failed (${slice.detail})`);
      }
      const t = tallies[i];
      if (t === undefined) continue;
      t.requests += slice.requests;
      t.seconds += slice.seconds;
      t.p50.push(slice.p50Ms);
      t.p99.push(slice.p99Ms);
    }
  }
  return tallies.map((t) => ({
    rps: t.requests / t.seconds,
    p50: median(t.p50),
    p99: median(t.p99),
  }));
}

async function main(): Promise<void> {
  const backends = await startBenchBackends();
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-bench-pipeline-'));
  const profileDir = resolve('profiles');
  if (PROFILE) await mkdir(profileDir, { recursive: true });
  const started: Served[] = [];
  try {
    const env: Record<string, string> = {
      ...testEnv(backends, join(dataDir, 'api')),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      PASSWORD_SCRYPT_LOG2N: '17',
      RATE_LIMIT_MAX: '1000000',
      SESSION_MAX_DOWNLOADS_PER_FILE: '1000000',
      ...sharedApiIdentity(),
    };
    const profileArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const product = await serve(API_MAIN, env, 'PORT', '/health/live', profileArgs);
    started.push(product);
    const floor = await serve(
      FLOOR_MAIN,
      {
        MONGODB_URI: env.MONGODB_URI ?? '',
        FLOOR_JWKS_URL: `${product.baseUrl}/.well-known/jwks.json`,
      },
      'FLOOR_PORT',
      '/floor/hello',
      profileArgs,
    );
    started.push(floor);
    const productSide = await productTargets(product.baseUrl);
    const userToken = productSide[1]?.token;
    const targets: WrkTarget[] = [
      { label: 'floor GET /hello', url: `${floor.baseUrl}/floor/hello` },
      {
        label: 'floor GET /hello (RS256)',
        url: `${floor.baseUrl}/floor/hello/rs256`,
        token: userToken,
      },
      {
        label: 'floor GET /hello (RS256 + findOne)',
        url: `${floor.baseUrl}/floor/hello/rs256/user`,
        token: userToken,
      },
      ...productSide,
    ];
    if (ONLY !== undefined) {
      const kept = targets.filter((_, i) => ONLY.includes(i));
      targets.splice(0, targets.length, ...kept);
    }
    const scripts = await Promise.all(targets.map((t, i) => wrkScript(dataDir, i, t)));
    // Indices into the full target list: no ratios when BENCH_ONLY picks some.
    const ratios: Ratio[] =
      ONLY !== undefined
        ? []
        : [
            { label: '/health/live ÷ floor hello', of: 3, base: 0, target: 0.6 },
            { label: '/v1/auth/me ÷ floor RS256+findOne', of: 4, base: 2, target: 0.7 },
            { label: 'device session read ÷ floor RS256+findOne', of: 5, base: 2, target: 0.7 },
            { label: 'download grant ÷ floor RS256+findOne', of: 6, base: 2, target: 0.5 },
          ];

    await run(targets, scripts, 1, 1); // warm-up: JIT, pools, caches
    console.log(
      `${String(CONNECTIONS)} connections, ${String(RUNS)} runs × ${String(ROUNDS)} rounds × ${String(SLICE_SECONDS)} s slices per target`,
    );
    const perRun: { rps: number; p50: number; p99: number }[][] = [];
    for (let r = 0; r < RUNS; r++) {
      const results = await run(targets, scripts, SLICE_SECONDS, ROUNDS);
      perRun.push(results);
      const line = ratios.map((q) => {
        const value = (results[q.of]?.rps ?? 0) / (results[q.base]?.rps ?? 1);
        return value.toFixed(2);
      });
      console.log(`run ${String(r + 1)}: ratios ${line.join(' / ')}`);
    }
    console.log('');
    console.log(
      `${'target'.padEnd(48)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
    );
    for (const [i, target] of targets.entries()) {
      const rps = median(perRun.map((rs) => rs[i]?.rps ?? 0));
      const p50 = median(perRun.map((rs) => rs[i]?.p50 ?? 0));
      const p99 = median(perRun.map((rs) => rs[i]?.p99 ?? 0));
      console.log(
        `${target.label.padEnd(48)} ${rps.toFixed(0).padStart(8)} ${p50.toFixed(2).padStart(8)} ${p99.toFixed(2).padStart(8)}`,
      );
    }
    console.log('');
    let missed = 0;
    for (const q of ratios) {
      const value = median(perRun.map((rs) => (rs[q.of]?.rps ?? 0) / (rs[q.base]?.rps ?? 1)));
      const met = value >= q.target;
      if (!met) missed++;
      console.log(
        `${q.label.padEnd(48)} ${value.toFixed(2).padStart(6)}×  target ≥ ${q.target.toFixed(1)}  ${met ? 'met' : 'MISSED'}`,
      );
    }
    if (missed > 0)
      console.log(`${String(missed)} target(s) missed (median of ${String(RUNS)} runs)`);
  } finally {
    for (const s of started.reverse()) await s.stop();
    await backends.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
