// One slice of load from wrk (Debian's `wrk`, a C load generator: it costs the machine far less
// than a Node client would, so fast targets are not capped by the client). A Lua `done` hook
// prints the slice's figures as one JSON line, parsed here.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface WrkTarget {
  label: string;
  url: string;
  token?: string;
  method?: 'GET' | 'POST';
}

export interface SliceResult {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers plus socket errors (connect, read, write, timeout). */
  failures: number;
  detail: string;
}

const DONE_HOOK = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"us":%d,"p50":%d,"p99":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
`;

/** Writes the Lua script for `target` (method, token) into `dir`; returns its path. */
export async function wrkScript(dir: string, index: number, target: WrkTarget): Promise<string> {
  const lines = [`wrk.method = "${target.method ?? 'GET'}"`];
  if (target.token !== undefined) {
    lines.push(`wrk.headers["Authorization"] = "Bearer ${target.token}"`);
  }
  const path = join(dir, `target-${String(index)}.lua`);
  await writeFile(path, `${lines.join('\n')}\n${DONE_HOOK}`);
  return path;
}

/** Runs wrk against `url` for `seconds` with `connections` keep-alive connections. */
export function wrkSlice(
  url: string,
  script: string,
  seconds: number,
  connections: number,
): Promise<SliceResult> {
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${String(connections)}`, `-d${String(seconds)}s`, '-s', script, url];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error('wrk is not installed: apt-get install -y wrk', { cause: err })
          : err,
      ),
    );
    child.once('close', (code) => {
      const line = /WRK (\{.*\})/.exec(out)?.[1];
      if (code !== 0 || line === undefined) {
        reject(new Error(`wrk exited ${String(code)}:\n${out}`));
        return;
      }
      const r = JSON.parse(line) as Record<string, number>;
      const n = (key: string): number => r[key] ?? 0;
      const failures = n('status') + n('connect') + n('read') + n('write') + n('timeout');
      resolve({
        requests: n('requests'),
        seconds: n('us') / 1e6,
        p50Ms: n('p50') / 1000,
        p99Ms: n('p99') / 1000,
        failures,
        detail: `non-2xx ${String(n('status'))}, socket errors connect ${String(n('connect'))} read ${String(n('read'))} write ${String(n('write'))} timeout ${String(n('timeout'))}`,
      });
    });
  });
}
