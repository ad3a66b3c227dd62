// Worker-thread side of the HTTP benchmarks: either runs the devstack's MongoDB (so it does not
// share the API's event loop) or drives keep-alive connections against targets in alternating
// slices (so a load change on the machine hits every target alike). Started by http-bench.ts.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface Target {
  url: string;
  token?: string;
  /** GET unless said (a POST carries no body). */
  method?: 'GET' | 'POST';
}
export interface LoadRequest {
  role: 'load';
  targets: Target[];
  rounds: number;
  connections: number;
  sliceSeconds: number;
}
export interface Tally {
  ok: number;
  failed: number;
  seconds: number;
}
export type Role = { role: 'mongo' } | LoadRequest;

/** Drives `connections` keep-alive connections in closed loops against one target for a slice. */
async function slice(agent: Agent, target: Target, job: LoadRequest, tally: Tally): Promise<void> {
  const headers = target.token === undefined ? {} : { authorization: `Bearer ${target.token}` };
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(target.url, { agent, headers, method: target.method ?? 'GET' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const started = performance.now();
  const deadline = started + job.sliceSeconds * 1000;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (performance.now() < deadline) {
        const status = await once().catch(() => 0);
        if (status >= 200 && status < 300) tally.ok++;
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
      await slice(agent, target, job, tallies[i] ?? { ok: 0, failed: 0, seconds: 0 });
    }
  }
  agent.destroy();
  return tallies;
}

async function run(role: Role): Promise<void> {
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

if (parentPort !== null) await run(workerData as Role);
