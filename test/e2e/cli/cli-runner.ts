// The `sharexpress` command as a user runs it: its own OS process (`node apps/cli/bin/sharexpress.js`,
// the repository's bin, which runs the TypeScript sources through Node's type stripping), talking
// to a test API over real TCP, with its own config directory.
//
//   const run = startCli(['send', file, '--json'], { server, configDir });
//   const pairing = await run.waitFor('pairing');   // the first `{"event":"pairing",…}` line
//   run.signal('SIGINT');
//   const { code } = await run.exited;               // 130
//
//   const result = await runCli(['--help'], { server, configDir });   // waits for the exit
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitedAfterOutput } from '../../support/api-process.js';

/** The repository root: the first directory above this file holding nest-cli.json (not dist/). */
export const REPO_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root (nest-cli.json) not found');
    dir = parent;
  }
  return dir;
})();

export const CLI_BIN = join(REPO_ROOT, 'apps', 'cli', 'bin', 'sharexpress.js');

/** One `--json` line of stdout. */
export type CliEvent = Record<string, unknown> & { event?: unknown };

export interface CliOptions {
  /** SHAREXPRESS_URL. */
  server: string;
  /** SHAREXPRESS_CONFIG_DIR (and HOME, so nothing lands in the real home directory). */
  configDir: string;
  cwd?: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed (otherwise stdin stays open for `write`). */
  input?: string;
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: CliEvent[];
  /** Non-empty stdout lines that are not JSON objects (none expected in --json mode). */
  strayLines: string[];
}

export interface CliRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The JSON object lines of stdout so far, in order. */
  events(): CliEvent[];
  /**
   * The first event (including ones already seen) named `match`, or accepted by it; fails after
   * `timeoutMs` or when the process exits first, with its output in the message.
   */
  waitFor(match: string | ((e: CliEvent) => boolean), timeoutMs?: number): Promise<CliEvent>;
  /** The first `count` events accepted by `match`, once there are that many; fails like waitFor. */
  waitForCount(
    match: (e: CliEvent) => boolean,
    count: number,
    timeoutMs?: number,
  ): Promise<CliEvent[]>;
  /** Resolves when stdout matches `pattern` (with the match); fails like waitFor. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when stderr matches `pattern` (with the match); fails like waitFor. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  write(text: string): void;
  endInput(): void;
  /** Sends `signal` unless the process has already exited. */
  signal(signal: NodeJS.Signals): void;
  /** The exit, once stdout and stderr have been read. */
  readonly exited: Promise<CliExit>;
}

const DEFAULT_WAIT_MS = 30_000;

export function startCli(args: string[], options: CliOptions): CliRun {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: options.configDir,
      LANG: 'C.UTF-8',
      SHAREXPRESS_URL: options.server,
      SHAREXPRESS_CONFIG_DIR: options.configDir,
      ...(process.env.NODE_COMPILE_CACHE === undefined
        ? {}
        : { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE }),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let pending = '';
  const events: CliEvent[] = [];
  const stray: string[] = [];
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  const takeLine = (line: string): void => {
    if (line.trim() === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        events.push(value as CliEvent);
        return;
      }
    } catch {
      // not JSON: human text
    }
    stray.push(line);
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) takeLine(line);
    notify();
  });
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
    notify();
  });
  // A process that exits before reading its input must not fail the test with EPIPE.
  child.stdin.on('error', () => undefined);
  if (options.input !== undefined) child.stdin.end(options.input);

  let done = false;
  const exited = exitedAfterOutput(child).then(({ code, signal }): CliExit => {
    if (pending !== '') takeLine(pending);
    pending = '';
    done = true;
    notify();
    return { code, signal, stdout: out, stderr: err, events: [...events], strayLines: [...stray] };
  });

  const describe = (): string =>
    `sharexpress ${args.join(' ')}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`;

  function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found !== undefined) {
          finish();
          resolve(found);
        } else if (done) {
          finish();
          reject(new Error(`exited (${String(child.exitCode)}) before ${what}: ${describe()}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${what} within ${String(timeoutMs)} ms: ${describe()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  }

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    events: () => [...events],
    waitFor: (match, timeoutMs = DEFAULT_WAIT_MS) => {
      const accept = typeof match === 'string' ? (e: CliEvent) => e.event === match : match;
      const what = typeof match === 'string' ? `"${match}" event` : 'matching event';
      return until(what, timeoutMs, () => events.find(accept));
    },
    waitForCount: (match, count, timeoutMs = DEFAULT_WAIT_MS) =>
      until(`${String(count)} matching events`, timeoutMs, () => {
        const found = events.filter(match);
        return found.length >= count ? found.slice(0, count) : undefined;
      }),
    waitForStdout: (pattern, timeoutMs = DEFAULT_WAIT_MS) =>
      until(`stdout matching ${String(pattern)}`, timeoutMs, () => out.match(pattern) ?? undefined),
    waitForStderr: (pattern, timeoutMs = DEFAULT_WAIT_MS) =>
      until(`stderr matching ${String(pattern)}`, timeoutMs, () => err.match(pattern) ?? undefined),
    write: (text) => {
      child.stdin.write(text);
    },
    endInput: () => {
      child.stdin.end();
    },
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited,
  };
}

/** Runs the command to its end (SIGKILL after `timeoutMs`, then fails). */
export async function runCli(
  args: string[],
  options: CliOptions,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<CliExit> {
  const run = startCli(args, { ...options, input: options.input ?? '' });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    run.signal('SIGKILL');
  }, timeoutMs);
  const result = await run.exited;
  clearTimeout(timer);
  if (timedOut) {
    throw new Error(
      `sharexpress ${args.join(' ')} still running after ${String(timeoutMs)} ms\n` +
        `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  }
  return result;
}

/** The events named `name` in `events`. */
export const eventsNamed = (events: CliEvent[], name: string): CliEvent[] =>
  events.filter((e) => e.event === name);
