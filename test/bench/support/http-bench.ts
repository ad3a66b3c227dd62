// Shared set-up of the HTTP benchmarks (bench:auth, bench:sessions): the API on the main thread,
// the devstack's MongoDB and the load generator each on a worker thread (load-worker.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createTestBucket, type TestBackends } from '../../support/backends.js';
import type { Role, Target, Tally } from './load-worker.js';

export type { Target } from './load-worker.js';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SLICE_SECONDS = 0.5;

function runWorker<T>(data: Role): { worker: Worker; first: Promise<T> } {
  const w = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: data });
  const first = new Promise<T>((resolve, reject) => {
    w.once('message', (message: T) => resolve(message));
    w.once('error', reject);
  });
  return { worker: w, first };
}

/** Requests per second of each target, measured in alternating slices after a warm-up. */
export async function measure(targets: Target[]): Promise<number[]> {
  const job = { role: 'load', targets, connections: CONNECTIONS, sliceSeconds: SLICE_SECONDS };
  await runWorker<Tally[]>({ ...job, role: 'load', rounds: 2 }).first; // JIT, pools
  const rounds = Math.max(1, Math.round(SECONDS / SLICE_SECONDS));
  const tallies = await runWorker<Tally[]>({ ...job, role: 'load', rounds }).first;
  return tallies.map((t, i) => {
    if (t.failed > 0) throw new Error(`${targets[i]?.url ?? ''}: ${String(t.failed)} failed`);
    return t.ok / t.seconds;
  });
}

/** Devstack MongoDB on a worker thread and S3 in-process, shaped like startTestBackends(). */
export async function startBenchBackends(): Promise<TestBackends> {
  const { startS3Server } = await import('@app/devstack');
  const mongo = runWorker<string>({ role: 'mongo' });
  const mongoUri = await mongo.first;
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-bench-'));
  const s3 = await startS3Server({ port: 0, dataDir });
  const bucket = { endpoint: s3.endpoint, region: s3.region, ...s3.credentials, bucket: 'bench' };
  await createTestBucket(bucket);
  return {
    mongoUri,
    s3: bucket,
    external: { mongo: false, s3: false },
    stop: async () => {
      await s3.stop();
      mongo.worker.postMessage('stop');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Prints one line per target with its rate and its ratio to `baseline` (an index). */
export function report(labels: string[], rates: number[], baseline = 0): void {
  const base = rates[baseline] ?? 1;
  console.log(`${String(CONNECTIONS)} keep-alive connections, ${String(SECONDS)} s per route`);
  for (const [i, label] of labels.entries()) {
    const rate = rates[i] ?? 0;
    console.log(
      `${label.padEnd(36)} ${rate.toFixed(0).padStart(7)} req/s  ratio ${(rate / base).toFixed(2)}`,
    );
  }
}
