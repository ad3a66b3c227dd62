// Two API replicas and two worker replicas (each the compiled main.js, its own OS process) on one
// MongoDB database and one bucket, as an operator runs them behind a load balancer: they share
// the signing key and PUBLIC_URL, nothing else but the network.
//
//   const cluster = await startReplicaCluster({ backends, dbName, dataDir, env });
//   cluster.a.baseUrl, cluster.b.baseUrl     // the two APIs
//   cluster.gateA                            // A's storage calls go through it (hold / release)
//   cluster.workers[0].s3.requests           // what that worker asked of storage
//   const codes = await cluster.stop();      // SIGTERM to each, their exit codes
//
// Each process talks to storage through its own S3 tap (a recording reverse proxy), so a test
// can count storage requests per process; presigned URLs name the real endpoint
// (S3_PUBLIC_ENDPOINT), so clients' PUTs and GETs go straight to storage, as in production.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { startWorkerProcess, type WorkerProcess } from '../e2e/worker/worker-process.js';
import { startApiProcess, type ApiProcess } from './api-process.js';
import { randomSuffix, type TestBackends } from './backends.js';
import { startHttpGate, type HttpGate } from './http-gate.js';
import { startS3Tap, type S3Tap } from './s3-tap.js';
import { testEnv } from './test-app.js';

export interface ReplicaClusterOptions {
  backends: TestBackends;
  /** The one database every process uses. */
  dbName: string;
  /** Each process gets a data directory under it. */
  dataDir: string;
  /** For all four processes (over testEnv's defaults). */
  env?: Record<string, string>;
  /** For the APIs only / the workers only (over `env`). */
  apiEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
}

export interface ApiReplica {
  name: 'a' | 'b';
  api: ApiProcess;
  /** The API's own storage calls (HEAD at complete, multipart calls, presign needs none). */
  s3: S3Tap;
}

export interface WorkerReplica {
  name: 'w1' | 'w2';
  worker: WorkerProcess;
  s3: S3Tap;
}

export interface ReplicaCluster {
  a: ApiProcess;
  b: ApiProcess;
  apis: [ApiReplica, ApiReplica];
  workers: [WorkerReplica, WorkerReplica];
  /**
   * Between A and its S3 tap: holding A's storage calls holds the requests whose handlers make
   * them, provably accepted and unanswered (a MongoDB pool of 20 could hold no more than 20).
   */
  gateA: HttpGate;
  /** `<mongo>/<dbName>`, as the processes' MONGODB_URI names it without a proxy. */
  mongoUri: string;
  /** SIGTERM to every process still running; their exit codes, APIs then workers. */
  stop(): Promise<{ apis: (number | null)[]; workers: (number | null)[] }>;
}

/** A signing key and public URL for API processes to share, so each accepts the others' tokens. */
export function sharedApiIdentity(): Record<string, string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    PUBLIC_URL: 'http://localhost:3000',
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export async function startReplicaCluster(options: ReplicaClusterOptions): Promise<ReplicaCluster> {
  const { backends, dbName, dataDir } = options;
  const mongoUri = `${backends.mongoUri}/${dbName}`;
  const identity = sharedApiIdentity();
  const started: { stop: () => Promise<unknown> }[] = [];
  const base = (name: string) => ({
    ...testEnv(backends, join(dataDir, `${name}-${randomSuffix()}`)),
    MONGODB_URI: mongoUri,
    S3_PUBLIC_ENDPOINT: backends.s3.endpoint,
    ...options.env,
  });
  const tap = async () => {
    const s3 = await startS3Tap(backends.s3.endpoint);
    started.push({ stop: () => s3.close() });
    return s3;
  };
  try {
    const tapA = await tap();
    const gate = await startHttpGate(tapA.endpoint);
    started.push({ stop: () => gate.close() });
    const startApi = async (name: 'a' | 'b'): Promise<ApiReplica> => {
      const s3 = name === 'a' ? tapA : await tap();
      const api = await startApiProcess({
        ...base(name),
        ...identity,
        ...options.apiEnv,
        S3_ENDPOINT: name === 'a' ? gate.endpoint : s3.endpoint,
      });
      started.push({ stop: () => api.stop() });
      return { name, api, s3 };
    };
    const startWorker = async (name: 'w1' | 'w2'): Promise<WorkerReplica> => {
      const s3 = await tap();
      const worker = await startWorkerProcess(name, {
        ...base(name),
        ...options.workerEnv,
        S3_ENDPOINT: s3.endpoint,
      });
      started.push({ stop: () => worker.stop() });
      return { name, worker, s3 };
    };
    const results = await Promise.allSettled([
      startApi('a'),
      startApi('b'),
      startWorker('w1'),
      startWorker('w2'),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const [ra, rb, w1, w2] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    const apis = [ra, rb] as [ApiReplica, ApiReplica];
    const workers = [w1, w2] as [WorkerReplica, WorkerReplica];
    return {
      a: apis[0].api,
      b: apis[1].api,
      apis,
      workers,
      gateA: gate,
      mongoUri,
      stop: async () => {
        // A gate still holding would keep A from ever finishing its requests.
        gate.release();
        const codes = {
          apis: await Promise.all(apis.map((r) => r.api.stop())),
          workers: await Promise.all(workers.map((r) => r.worker.stop())),
        };
        for (const s3 of [...apis, ...workers].map((r) => r.s3)) await s3.close();
        await gate.close();
        return codes;
      },
    };
  } catch (err) {
    for (const item of started.reverse()) await item.stop().catch(() => undefined);
    throw err;
  }
}
