// The compiled worker entry point (dist/apps/worker/src/main.js) as its own OS process, as an
// operator runs a replica: it can be killed (SIGKILL), paused (SIGSTOP) and woken (SIGCONT), and
// its memory read from /proc.
//
//   const w = await startWorkerProcess('a', env);   // picks a free WORKER_PORT, waits for /health/live
//   await w.metrics();                              // the text of GET /metrics
//   await w.stop();                                 // SIGTERM (or a SIGKILL left behind), waits for the exit
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exitedAfterOutput, waitUntilUp, type ApiRun } from '../../support/api-process.js';
import { withFreePorts } from '../../support/ports.js';

export const WORKER_MAIN = fileURLToPath(
  new URL('../../../apps/worker/src/main.js', import.meta.url),
);

export interface WorkerProcess {
  name: string;
  pid: number;
  baseUrl: string;
  run: ApiRun;
  /** GET /metrics as text (throws unless 200). */
  metrics(): Promise<string>;
  /** Sends `signal` to the process (SIGKILL, SIGSTOP, SIGCONT…). */
  signal(signal: NodeJS.Signals): void;
  /** Ends the process: SIGCONT (a paused one could not act on SIGTERM), SIGTERM, wait. */
  stop(): Promise<number | null>;
}

/** Spawns main.js with exactly `env` (plus PATH and a free WORKER_PORT); waits for /health/live. */
export async function startWorkerProcess(
  name: string,
  env: Record<string, string>,
): Promise<WorkerProcess> {
  return withFreePorts(1, async ([port = 0]) => {
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: { PATH: process.env.PATH ?? '', ...env, WORKER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = exitedAfterOutput(child).then(({ code }) => code);
    const run: ApiRun = { child, stdout: () => out, stderr: () => err, exited };
    const baseUrl = `http://127.0.0.1:${String(port)}`;
    try {
      await waitUntilUp(run, `${baseUrl}/health/live`, 30_000);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`worker ${name}: ${String(error)}\n${out}`, { cause: error });
    }
    return {
      name,
      pid: child.pid ?? 0,
      baseUrl,
      run,
      metrics: async () => {
        const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`worker ${name} /metrics: ${String(res.status)}`);
        return text;
      },
      signal: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT');
          child.kill('SIGTERM');
        }
        return exited;
      },
    };
  });
}

/** A field of /proc/<pid>/status in KiB (VmRSS now, VmHWM the peak so far); 0 when gone. */
export function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const line = readFileSync(`/proc/${String(pid)}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0);
  } catch {
    return 0;
  }
}
