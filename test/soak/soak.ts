// The soak (issue 15): two API replicas and two workers (each the compiled main.js, its own OS
// process) on one embedded devstack, all on loopback, driven for a bounded time by owners who
// create sessions, pair devices, upload (single and multipart), download, delete and close,
// every request on a replica picked at random. Then the invariants: no 5xx at any point, every
// ready file's bytes intact, every closed session's objects gone after the worker's purge, no
// orphan object, quota counters equal to what was declared. Prints requests, errors by status
// and p50/p99 latency per route; exits 1 if an invariant fails.
//
//   npm run soak                     # 2 minutes
//   SOAK_SECONDS=600 SOAK_OWNERS=8 SOAK_SEED=42 npm run soak
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startBenchBackends } from '../bench/support/http-bench.js';
import { Prng } from '../e2e/fuzz/prng.js';
import { bucketClient } from '../e2e/worker/worker-fixtures.js';
import { startReplicaCluster, type ReplicaCluster } from '../support/replica-cluster.js';
import { checkInvariants, type Verdict } from './invariants.js';
import { Ledger } from './ledger.js';
import { Recorder } from './recorder.js';
import { printFigures } from './report.js';
import { OwnerScenario, type SoakContext } from './scenario.js';
import { SoakClient, UnexpectedAnswer } from './soak-client.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const OWNERS = Number(process.env.SOAK_OWNERS ?? 6);
const SEED = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MIB = 1024 * 1024;
const UPLOAD_URL_TTL_SECONDS = 60;

// For the APIs only: the workers read none of these.
const API_ENV: Record<string, string> = {
  // Every client is 127.0.0.1: the limits are not what this run measures.
  RATE_LIMIT_MAX: '1000000',
  RATE_LIMIT_AUTH_MAX: '1000000',
  RATE_LIMIT_POLL_MAX: '1000000',
  PAIRING_POLL_INTERVAL_SECONDS: '1',
  // All owners sign up at once: more hashes may queue than production's 4.
  PASSWORD_HASH_QUEUE: '64',
  MULTIPART_THRESHOLD_BYTES: String(8 * MIB),
  QUOTA_DAILY_FILES: '10000000',
  QUOTA_DAILY_BYTES: String(1024 * 1024 * MIB),
  // Deleted files' objects go once their upload URLs have expired: the shortest lifetime.
  UPLOAD_URL_TTL_SECONDS: String(UPLOAD_URL_TTL_SECONDS),
};
const WORKER_ENV: Record<string, string> = {
  CLEANUP_INTERVAL_SECONDS: '1',
  LEASE_TTL_SECONDS: '2',
  JOB_RECONCILE_STORAGE_INTERVAL_SECONDS: '20',
  JOB_PRUNE_RECORDS_INTERVAL_SECONDS: '20',
};

/** Runs one owner's lifecycles until the deadline; a failed step ends that lifecycle only. */
async function drive(owner: OwnerScenario, ledger: Ledger, deadline: number): Promise<void> {
  try {
    await owner.signUp();
  } catch (err) {
    if (!(err instanceof UnexpectedAnswer)) ledger.stepFailures.push(`sign-up: ${String(err)}`);
    return;
  }
  while (Date.now() < deadline) {
    try {
      await owner.lifecycle();
    } catch (err) {
      if (!(err instanceof UnexpectedAnswer)) ledger.stepFailures.push(String(err));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const backends = await startBenchBackends();
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-soak-'));
  const dbName = 'sx_soak';
  let cluster: ReplicaCluster | undefined;
  let mongo: MongoClient | undefined;
  const s3 = bucketClient(backends);
  try {
    cluster = await startReplicaCluster({
      backends,
      dbName,
      dataDir,
      env: { LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'error' },
      apiEnv: API_ENV,
      workerEnv: WORKER_ENV,
    });
    mongo = new MongoClient(cluster.mongoUri);
    const apis = [cluster.a.baseUrl, cluster.b.baseUrl];
    console.log(
      `soak: ${String(SECONDS)} s, ${String(OWNERS)} owners, seed ${String(SEED)}; ` +
        `APIs ${apis.join(' ')}, workers ${cluster.workers.map((w) => w.worker.baseUrl).join(' ')} ` +
        `(ready in ${String(Date.now() - started)} ms)`,
    );
    const recorder = new Recorder();
    const client = new SoakClient(recorder);
    const ledger = new Ledger();
    const ctx: SoakContext = {
      apis,
      client,
      ledger,
      rng: new Prng(SEED),
      multipart: { inFlight: 0, max: 2 },
      multipartShare: 0.12,
    };
    const owners = Array.from({ length: OWNERS }, (_, i) => new OwnerScenario(ctx, i));
    const driveStart = Date.now();
    const deadline = driveStart + SECONDS * 1000;
    await Promise.all(owners.map((o) => drive(o, ledger, deadline)));
    const drivenMs = Date.now() - driveStart;
    const drivenRequests = recorder.total;

    const checkStart = Date.now();
    const verdicts: Verdict[] = await checkInvariants({
      ledger,
      recorder,
      client,
      owners,
      apis,
      db: mongo.db(),
      s3,
      bucket: backends.s3.bucket,
      purgeDeadlineMs: 60_000,
      deletedDeadlineMs: (UPLOAD_URL_TTL_SECONDS + 30) * 1000,
    });
    const codes = await cluster.stop();
    const stopped = cluster;
    cluster = undefined;
    const exitCodes = [...codes.apis, ...codes.workers];
    verdicts.push({
      name: 'every process exits 0 on SIGTERM',
      ok: exitCodes.every((c) => c === 0),
      detail: `APIs ${codes.apis.join(', ')}; workers ${codes.workers.join(', ')}`,
    });
    printFigures({
      recorder,
      ledger,
      cluster: stopped,
      drivenMs,
      drivenRequests,
      checkMs: Date.now() - checkStart,
      verdicts,
    });
    return verdicts.every((v) => v.ok) ? 0 : 1;
  } finally {
    await cluster?.stop().catch(() => undefined);
    s3.destroy();
    await mongo?.close();
    await backends.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
