// The purge of ended sessions at scale: 10,000 ready files (100 sessions × 100 small objects,
// records and objects seeded directly, as the API leaves them) in sessions that are then closed
// through the API, purged by one worker process (the compiled main.js) that talks to storage
// through an S3 tap counting its requests by operation.
// Run: npm run bench:cleanup   (BENCH_CLEANUP_SESSIONS, BENCH_CLEANUP_FILES per session)
//
// Measured: the time from the first close until every record and object is gone; the worker's
// storage requests by operation while it purges (target: about 10 DeleteObjects of up to 1,000
// keys, not 10,000 DeleteObject); its RSS before, its peak while purging and VmHWM at the end.
// Target (issue 14): under 30 s.
//
// Measured on the project machine (Node 24.22, 2 cores, load ~2-7), three runs: 5.9-8.1 s from
// the first close until every record was gone (closing the 100 sessions took 0.8-1.2 s of it);
// 10-11 DeleteObjects (a run that starts while sessions are still being closed splits a batch)
// and no other storage request; worker RSS ~160 MiB at start, 265-328 MiB after the start-up
// runs (the first reconciliation lists and matches the 10,000 objects), +5-22 MiB while
// purging, VmHWM 287-334 MiB. Seeding (not measured) takes 35-55 s.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { bucketClient, listKeys, total } from '../e2e/worker/worker-fixtures.js';
import { inParallel, seedReadyFiles } from '../e2e/worker/seed-files.js';
import { memoryKiB, startWorkerProcess } from '../e2e/worker/worker-process.js';
import { startS3Tap } from '../support/s3-tap.js';
import { startTestApp, testEnv } from '../support/test-app.js';
import { api, expectStatus } from '../support/upload-client.js';
import { startBenchBackends } from './support/http-bench.js';

const SESSIONS = Number(process.env.BENCH_CLEANUP_SESSIONS ?? 100);
const PER_SESSION = Number(process.env.BENCH_CLEANUP_FILES ?? 100);
const TARGET_MS = 30_000;
const DEADLINE_MS = 180_000;

const mib = (kib: number): string => (kib / 1024).toFixed(1);
const mibOfBytes = (bytes: number): string => (bytes / 1048576).toFixed(1);

/** The worker's V8 heap as prom-client's default metrics report it (no GC forced first). */
interface HeapFigures {
  used: number;
  total: number;
  external: number;
}

async function heapOf(worker: { metrics(): Promise<string> }): Promise<HeapFigures> {
  const text = await worker.metrics();
  return {
    used: total(text, 'nodejs_heap_size_used_bytes'),
    total: total(text, 'nodejs_heap_size_total_bytes'),
    external: total(text, 'nodejs_external_memory_bytes'),
  };
}

const heapLine = (h: HeapFigures): string =>
  `heapUsed ${mibOfBytes(h.used)} / heapTotal ${mibOfBytes(h.total)} MiB, external ${mibOfBytes(h.external)} MiB`;

async function main(): Promise<void> {
  const backends = await startBenchBackends();
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-bench-cleanup-'));
  const env: Record<string, string> = {
    ...testEnv(backends, join(dataDir, 'api')),
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_AUTH_MAX: '1000000',
    SESSION_MAX_FILES: '10000',
  };
  const app = await startTestApp({ backends, env });
  const mongo = new MongoClient(env.MONGODB_URI ?? '');
  const s3 = bucketClient(backends);
  const tap = await startS3Tap(backends.s3.endpoint);
  let worker: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
  try {
    const email = `bench-${String(Date.now())}@example.com`;
    const password = 'correct horse battery staple';
    await api(app.baseUrl, 'POST', '/v1/auth/register', undefined, { email, password });
    const { accessToken: token } = await expectStatus<{ accessToken: string }>(
      await api(app.baseUrl, 'POST', '/v1/auth/login', undefined, { email, password }),
      200,
    );
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const session = await expectStatus<{ id: string }>(
        await api(app.baseUrl, 'POST', '/v1/sessions', token, { name: `bench ${String(i)}` }),
        201,
      );
      ids.push(session.id);
    }
    const seedStarted = performance.now();
    const target = { db: mongo.db(), s3, bucket: backends.s3.bucket };
    // A few sessions at once, each with its own PUTs in flight.
    await inParallel(ids, 4, async (id) => {
      await seedReadyFiles(target, id, PER_SESSION, 16);
    });
    const files = SESSIONS * PER_SESSION;
    console.log(
      `seeded ${String(files)} files in ${String(SESSIONS)} sessions in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    // Only the purge ticks every second; the other jobs keep their production intervals.
    worker = await startWorkerProcess('bench', {
      ...testEnv(backends, join(dataDir, 'worker')),
      MONGODB_URI: env.MONGODB_URI ?? '',
      S3_ENDPOINT: tap.endpoint,
      JOB_PURGE_FILES_INTERVAL_SECONDS: '1',
    });
    const pid = worker.pid;
    const startKiB = memoryKiB(pid, 'VmRSS');
    const heapAtStart = await heapOf(worker);
    // Let the start-up runs (bucket rule, the first reconciliation's listing) settle first.
    for (;;) {
      const metrics = await worker.metrics();
      if (total(metrics, 'sharexpress_job_runs_total', { job: 'reconcile-storage' }) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const baselineKiB = memoryKiB(pid, 'VmRSS');
    // VmHWM so far is the peak of the start-up runs; the purge's own peak is sampled below.
    const startUpPeakKiB = memoryKiB(pid, 'VmHWM');
    const heapAfterStartUp = await heapOf(worker);
    let peakKiB = 0;
    const sampler = setInterval(() => {
      peakKiB = Math.max(peakKiB, memoryKiB(pid, 'VmRSS'));
    }, 20);

    const endedAt = Date.now();
    const started = performance.now();
    for (const id of ids) {
      const res = await api(app.baseUrl, 'DELETE', `/v1/sessions/${id}`, token);
      if (res.status !== 204) throw new Error(`close ${id}: ${String(res.status)}`);
    }
    const closedMs = performance.now() - started;
    const records = mongo.db().collection('files');
    for (;;) {
      if ((await records.countDocuments({ sessionId: { $in: ids } })) === 0) break;
      if (performance.now() - started > DEADLINE_MS) throw new Error('not purged in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const purgedMs = performance.now() - started;
    clearInterval(sampler);
    const hwmKiB = memoryKiB(pid, 'VmHWM');
    const left = (await listKeys(s3, backends.s3.bucket, 'sessions/')).length;

    const byOperation = new Map<string, number>();
    const atStart = new Map<string, number>();
    let deleteObjectsKeys = 0;
    for (const request of tap.requests) {
      const counts = request.at < endedAt ? atStart : byOperation;
      counts.set(request.operation, (counts.get(request.operation) ?? 0) + 1);
      if (request.at >= endedAt && request.operation === 'DeleteObjects') {
        deleteObjectsKeys += request.keys?.length ?? 0;
      }
    }
    const deleteObjects = byOperation.get('DeleteObjects') ?? 0;
    const metrics = await worker.metrics();
    const heapAfterPurge = await heapOf(worker);

    console.log('');
    console.log(`purge of ${String(files)} expired files by one worker`);
    console.log(
      `  closing ${String(SESSIONS)} sessions (API)  ${closedMs.toFixed(0).padStart(7)} ms`,
    );
    console.log(
      `  first close → all records gone   ${purgedMs.toFixed(0).padStart(7)} ms (target < ${String(TARGET_MS)})`,
    );
    console.log(`  objects left under sessions/     ${String(left).padStart(7)}`);
    console.log(
      `  job errors, failed runs          ${String(total(metrics, 'sharexpress_job_errors_total')).padStart(7)}, ${String(total(metrics, 'sharexpress_job_runs_total', { outcome: 'failed' }))}`,
    );
    console.log('  storage requests by operation (S3 tap, from the first close):');
    for (const [operation, count] of [...byOperation.entries()].sort((x, y) => y[1] - x[1])) {
      console.log(`    ${operation.padEnd(28)} ${String(count).padStart(7)}`);
    }
    const startUp = [...atStart.entries()].map(([op, n]) => `${op} ${String(n)}`).join(', ');
    console.log(`  (the start-up runs before, e.g. the first reconciliation: ${startUp})`);
    console.log(
      `  DeleteObjects: ${String(deleteObjects)} requests, ${String(deleteObjectsKeys)} keys (${(deleteObjectsKeys / Math.max(1, deleteObjects)).toFixed(0)} per request; target ≈ ${String(Math.ceil(files / 1000))})`,
    );
    console.log('  worker memory:');
    console.log(`    RSS at start                    ${mib(startKiB).padStart(7)} MiB`);
    console.log(
      `    after the start-up runs         ${mib(baselineKiB).padStart(7)} MiB (their peak, VmHWM then: ${mib(startUpPeakKiB)} MiB)`,
    );
    console.log(
      `    peak while purging              ${mib(peakKiB).padStart(7)} MiB (${peakKiB >= baselineKiB ? '+' : ''}${mib(peakKiB - baselineKiB)}); VmHWM at the end ${mib(hwmKiB)} MiB`,
    );
    console.log(`    /metrics at start               ${heapLine(heapAtStart)}`);
    console.log(`    /metrics after start-up runs    ${heapLine(heapAfterStartUp)}`);
    console.log(`    /metrics after the purge        ${heapLine(heapAfterPurge)}`);
    if (left > 0 || purgedMs > TARGET_MS) process.exitCode = 1;
  } finally {
    await worker?.stop();
    await tap.close();
    s3.destroy();
    await mongo.close();
    await app.close();
    await backends.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
