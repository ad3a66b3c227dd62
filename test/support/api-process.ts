// The compiled API entry point (dist/apps/api/src/main.js) as its own OS process, as an operator
// runs a replica: nothing shared with the test process but the network.
//
//   const api = await startApiProcess(env);   // picks a free PORT, waits for /health/live
//   await fetch(`${api.baseUrl}/v1/...`);
//   await api.stop();                          // SIGTERM, waits for the exit
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withFreePorts } from './ports.js';

export const API_MAIN = fileURLToPath(new URL('../../apps/api/src/main.js', import.meta.url));

/**
 * Resolves when `child` has exited **and** its output has been read: 'exit' can come before the
 * last chunks of stdout/stderr, so this waits for 'close' too (at most `drainMs`, in case a
 * grandchild keeps the pipes open).
 */
export function exitedAfterOutput(
  child: ChildProcess,
  drainMs = 2_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      const done = () => resolve({ code, signal });
      const timer = setTimeout(done, drainMs);
      child.once('close', () => {
        clearTimeout(timer);
        done();
      });
    });
  });
}

export interface ApiRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Spawns the API's main.js with exactly `env` (plus PATH). */
export function runApi(env: Record<string, string>): ApiRun {
  const child = spawn(process.execPath, [API_MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = exitedAfterOutput(child).then(({ code }) => code);
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for `url` to answer; fails at once (with its stderr) if the process exits first. */
export async function waitUntilUp(r: ApiRun, url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (r.child.exitCode !== null) {
      throw new Error(`exited with ${String(r.child.exitCode)} before listening:\n${r.stderr()}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not up within ${String(deadlineMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ApiProcess {
  baseUrl: string;
  run: ApiRun;
  /** SIGTERM and wait; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** Starts main.js on a free port with `env` and waits until it serves /health/live. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  // The entry point must be told its PORT: a port taken in between is retried, not ignored.
  return withFreePorts(1, async ([port = 0]) => {
    const run = runApi({ ...env, PORT: String(port) });
    const baseUrl = `http://127.0.0.1:${String(port)}`;
    try {
      await waitUntilUp(run, `${baseUrl}/health/live`, 30_000);
    } catch (err) {
      run.child.kill('SIGKILL');
      await run.exited;
      throw new Error(`${String(err)}\n${run.stdout()}`, { cause: err });
    }
    return {
      baseUrl,
      run,
      stop: async () => {
        if (run.child.exitCode === null) run.child.kill('SIGTERM');
        return run.exited;
      },
    };
  });
}
