// Runs the API and the worker as child processes and watches them: a child that exits while we
// are not stopping is reported to `onUnexpectedExit`; `stopAll` sends SIGTERM, waits for a
// graceful exit and only then resorts to SIGKILL. Each child runs through child-entry.js with an
// IPC channel, so it also ends when this process dies without stopping it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD_ENTRY = fileURLToPath(new URL('./child-entry.js', import.meta.url));

export interface ChildSpec {
  name: string;
  entry: string;
  env: Record<string, string>;
}

export interface ChildExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly exited = new Map<string, Promise<ChildExit>>();
  private stopping = false;

  constructor(private readonly onUnexpectedExit: (exit: ChildExit) => void) {}

  start(spec: ChildSpec): void {
    const child = spawn(process.execPath, ['--enable-source-maps', CHILD_ENTRY, spec.entry], {
      env: spec.env,
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    });
    // The channel exists for its closing only; it must not keep this process alive.
    child.channel?.unref();
    this.children.set(spec.name, child);
    this.exited.set(
      spec.name,
      new Promise((resolve) => {
        child.once('error', (err) => {
          console.error(`[start] could not run ${spec.name}: ${err.message}`);
        });
        child.once('exit', (code, signal) => {
          const exit = { name: spec.name, code, signal };
          resolve(exit);
          if (!this.stopping) this.onUnexpectedExit(exit);
        });
      }),
    );
  }

  /** Stops every child; resolves with the names of those that needed SIGKILL. */
  async stopAll(graceMs: number): Promise<string[]> {
    this.stopping = true;
    const killed: string[] = [];
    await Promise.all(
      [...this.children].map(async ([name, child]) => {
        const exited = this.exited.get(name);
        if (exited === undefined || child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        const outcome = await Promise.race([exited, timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          killed.push(name);
          child.kill('SIGKILL');
          await exited;
        }
      }),
    );
    return killed;
  }

  /** Last resort on a second Ctrl-C: no grace. */
  killAll(): void {
    this.stopping = true;
    for (const child of this.children.values()) child.kill('SIGKILL');
  }
}
