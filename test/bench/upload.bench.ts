// End-to-end upload against the raw storage it rides on: a 256 MiB file through the product
// (declare, part URLs, parts PUT with a client's concurrency, complete; then the worker's
// read-back until `ready`) against one raw presigned PUT of the same bytes to the same storage,
// interleaved. Also download grants/s against GET /health/live, and the API process's RSS.
// Run: npm run bench:upload   (BENCH_UPLOAD_MIB, BENCH_UPLOAD_ROUNDS, BENCH_PART_CONCURRENCY)
//
// Targets (issue 13): complete ≤ 1.05× the raw PUT; ready ≤ 1.6× the raw PUT; the API's peak RSS
// grows < 30 MiB during the uploads. The API and the worker run as their own processes (the
// compiled main.js files), so their RSS is theirs alone; the devstack and this client share the
// bench process, alike for both kinds of upload.
//
// Measured on the project machine (Node 24.22, 2 cores, load ~2-4), 256 MiB, 3 rounds, 4 parts
// in flight, two runs: raw PUT 4.0-4.8 s; until complete 0.77-0.94× the raw PUT; until ready
// (worker read-back included) 1.40-1.58×; API peak RSS +5.4-6.5 MiB; download grants 79-163
// req/s against 947-2351 req/s of /health/live (a loaded machine in the first run).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SigV4Presigner } from '@app/storage';
import { startApiProcess, exitedAfterOutput } from '../support/api-process.js';
import { freePortNumber } from '../support/ports.js';
import { sharedApiIdentity } from '../support/replica-cluster.js';
import { testEnv } from '../support/test-app.js';
import {
  api,
  complete,
  declared,
  expectStatus,
  partBytes,
  putOk,
  requestParts,
  sha256Hex,
  testBytes,
  type MultipartUpload,
  type PartUrl,
} from '../support/upload-client.js';
import { measure, report, startBenchBackends } from './support/http-bench.js';

const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_UPLOAD_MIB ?? 256) * MIB;
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3);
const PART_CONCURRENCY = Number(process.env.BENCH_PART_CONCURRENCY ?? 4);
const WORKER_MAIN = fileURLToPath(new URL('../../apps/worker/src/main.js', import.meta.url));

const rssKiB = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const line = readFileSync(`/proc/${String(pid)}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0);
};

/** Samples a process's RSS every 20 ms while `work` runs; resolves to [result, peak KiB]. */
async function withRssPeak<T>(pid: number, work: () => Promise<T>): Promise<[T, number]> {
  let peak = rssKiB(pid, 'VmRSS');
  const timer = setInterval(() => {
    peak = Math.max(peak, rssKiB(pid, 'VmRSS'));
  }, 20);
  try {
    return [await work(), peak];
  } finally {
    clearInterval(timer);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function runConcurrently<T>(items: T[], limit: number, each: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await each(item);
      }
    }),
  );
}

async function main(): Promise<void> {
  const backends = await startBenchBackends();
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-bench-upload-'));
  const env: Record<string, string> = {
    ...testEnv(backends, join(dataDir, 'api')),
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_AUTH_MAX: '1000000',
    SESSION_MAX_DOWNLOADS_PER_FILE: '1000000',
    QUOTA_DAILY_BYTES: String(1024 * 1024 * MIB),
    ...sharedApiIdentity(),
  };
  const apiProcess = await startApiProcess(env);
  const workerPort = await freePortNumber();
  const worker = spawn(process.execPath, [WORKER_MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env, WORKER_PORT: String(workerPort) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const workerExited = exitedAfterOutput(worker);
  const base = apiProcess.baseUrl;
  const apiPid = apiProcess.run.child.pid ?? 0;
  try {
    const email = `bench-${String(Date.now())}@example.com`;
    const password = 'correct horse battery staple';
    await api(base, 'POST', '/v1/auth/register', undefined, { email, password });
    const login = await expectStatus<{ accessToken: string }>(
      await api(base, 'POST', '/v1/auth/login', undefined, { email, password }),
      200,
    );
    const token = login.accessToken;
    const session = await expectStatus<{ id: string }>(
      await api(base, 'POST', '/v1/sessions', token, {
        name: 'bench',
        limits: { maxDownloadsPerFile: 1_000_000 },
      }),
      201,
    );

    const bytes = testBytes(SIZE, 7);
    const sha256 = sha256Hex(bytes);
    const presigner = new SigV4Presigner({
      publicEndpoint: backends.s3.endpoint,
      region: backends.s3.region,
      bucket: backends.s3.bucket,
      forcePathStyle: true,
      credentials: {
        accessKeyId: backends.s3.accessKeyId,
        secretAccessKey: backends.s3.secretAccessKey,
      },
    });
    const rawPut = async (round: number): Promise<number> => {
      const target = presigner.presignPut({
        key: `bench/raw-${String(round)}`,
        contentLength: SIZE,
        contentType: 'application/octet-stream',
        sha256Base64: Buffer.from(sha256, 'hex').toString('base64'),
        expiresInSeconds: 600,
      });
      const started = performance.now();
      await putOk(target, bytes);
      return performance.now() - started;
    };
    // Polls the file every 25 ms: the time until `ready` is what a client polling tightly sees.
    const untilSettled = async (fileId: string): Promise<string> => {
      for (;;) {
        const file = await expectStatus<{ status: string }>(
          await api(base, 'GET', `/v1/files/${fileId}`, token),
          200,
        );
        if (file.status !== 'verifying') return file.status;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    let lastFileId = '';
    const product = async (round: number): Promise<{ complete: number; ready: number }> => {
      const started = performance.now();
      const { file, upload } = await declared<MultipartUpload>(
        base,
        token,
        session.id,
        {
          name: `bench-${String(round)}.bin`,
          contentType: 'application/octet-stream',
          bytes,
        },
        'multipart',
      );
      const numbers = Array.from({ length: upload.partCount }, (_, i) => i + 1);
      const parts = numbers.map((partNumber) => ({
        partNumber,
        sha256: createHash('sha256')
          .update(partBytes(bytes, upload.partSize, partNumber))
          .digest('hex'),
      }));
      const urls: PartUrl[] = [];
      for (let i = 0; i < parts.length; i += 100) {
        const batch = await expectStatus<{ parts: PartUrl[] }>(
          await requestParts(base, token, file.id, parts.slice(i, i + 100)),
          200,
        );
        urls.push(...batch.parts);
      }
      await runConcurrently(urls, PART_CONCURRENCY, async (part) => {
        await putOk(part, partBytes(bytes, upload.partSize, part.partNumber));
      });
      await expectStatus(await complete(base, token, file.id), 200);
      const completed = performance.now() - started;
      const status = await untilSettled(file.id);
      if (status !== 'ready') throw new Error(`file ended ${status}`);
      lastFileId = file.id;
      return { complete: completed, ready: performance.now() - started };
    };

    // Warm-up: JIT, pools, the worker's first lease.
    await rawPut(-1);
    await product(-1);
    const baseline = rssKiB(apiPid, 'VmRSS');
    const raw: number[] = [];
    const completes: number[] = [];
    const readies: number[] = [];
    const [, peak] = await withRssPeak(apiPid, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        raw.push(await rawPut(round));
        const times = await product(round);
        completes.push(times.complete);
        readies.push(times.ready);
      }
    });
    const rawMs = median(raw);
    console.log(
      `${String(SIZE / MIB)} MiB, ${String(ROUNDS)} interleaved rounds, ${String(PART_CONCURRENCY)} parts in flight`,
    );
    console.log(`raw presigned PUT     ${rawMs.toFixed(0).padStart(6)} ms (median)`);
    console.log(
      `until complete        ${median(completes).toFixed(0).padStart(6)} ms  ${(median(completes) / rawMs).toFixed(2)}× (target ≤ 1.05)`,
    );
    console.log(
      `until ready           ${median(readies).toFixed(0).padStart(6)} ms  ${(median(readies) / rawMs).toFixed(2)}× (target ≤ 1.6)`,
    );
    console.log(
      `API RSS ${(baseline / 1024).toFixed(1)} MiB → peak ${(peak / 1024).toFixed(1)} MiB: +${((peak - baseline) / 1024).toFixed(1)} MiB (target < 30)`,
    );

    // Download grants against the public liveness route, interleaved.
    const fileId = lastFileId;
    const rates = await measure([
      { url: `${base}/health/live` },
      { url: `${base}/v1/files/${fileId}/downloads`, token, method: 'POST' },
    ]);
    report(['GET /health/live (public)', 'POST /v1/files/:id/downloads'], rates);
  } finally {
    worker.kill('SIGTERM');
    await workerExited;
    await apiProcess.stop();
    await backends.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
