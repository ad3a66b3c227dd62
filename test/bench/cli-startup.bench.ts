// Startup time of the terminal client: `node apps/cli/bin/sharexpress.js --help`, a fresh process
// each time, as a user types it (the bin runs the TypeScript sources through Node's type
// stripping). Fails (exit 1) when the median is above 300 ms, when --help does not exit 0, or
// when it loads anything from @nestjs, @aws-sdk or mongoose (or the API's own code).
// Run: npm run bench:cli               (BENCH_ITERATIONS=30 by default, after 3 warm-ups)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const WARMUP = 3;
const LIMIT_MS = 300;
const FORBIDDEN = /\/node_modules\/(@nestjs|@aws-sdk|mongoose|mongodb)\/|\/(apps\/api|libs)\//;

const root = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root (nest-cli.json) not found');
    dir = parent;
  }
  return dir;
})();
const bin = join(root, 'apps', 'cli', 'bin', 'sharexpress.js');
const home = mkdtempSync(join(tmpdir(), 'sx-cli-bench-'));
// What a user's shell passes, nothing from this process (no NODE_OPTIONS, no compile cache).
const env = { PATH: process.env.PATH ?? '', HOME: home, SHAREXPRESS_CONFIG_DIR: home };

function helpOnce(extraArgs: string[] = [], extraEnv: Record<string, string> = {}): number {
  return timed([...extraArgs, bin, '--help'], extraEnv);
}

/** Wall time of one `node <args>` process, in ms; throws unless it exits 0. */
function timed(args: string[], extraEnv: Record<string, string> = {}): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `node ${args.join(' ')} exited ${String(result.status)}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return ms;
}

/** Every module URL one `--help` run loads (ESM and CommonJS), through a module.registerHooks hook. */
function loadedModules(): string[] {
  const hook = join(home, 'record-loads.mjs');
  const list = join(home, 'loaded.txt');
  writeFileSync(
    hook,
    [
      "import { registerHooks } from 'node:module';",
      "import { writeFileSync } from 'node:fs';",
      'const seen = new Set();',
      'registerHooks({ load(url, context, next) { seen.add(url); return next(url, context); } });',
      "process.on('exit', () => writeFileSync(process.env.SX_LOADED_LIST, [...seen].join('\\n')));",
    ].join('\n'),
  );
  helpOnce(['--import', pathToFileURL(hook).href], { SX_LOADED_LIST: list });
  return readFileSync(list, 'utf8').split('\n').filter(Boolean);
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

let failed = false;
try {
  for (let i = 0; i < WARMUP; i++) helpOnce();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) times.push(helpOnce());
  times.sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  // The floor on this machine right now: an empty Node process, measured the same way.
  const bare: number[] = [];
  for (let i = 0; i < 10; i++) bare.push(timed(['-e', '']));
  bare.sort((a, b) => a - b);
  console.log(`node ${process.version}, sharexpress --help, ${String(ITERATIONS)} runs`);
  console.log(
    `  min ${times[0]?.toFixed(1) ?? '?'} ms   median ${median.toFixed(1)} ms   ` +
      `p95 ${quantile(times, 0.95).toFixed(1)} ms   (limit: median ≤ ${String(LIMIT_MS)} ms)`,
  );
  console.log(`  an empty node process (node -e ''): median ${quantile(bare, 0.5).toFixed(1)} ms`);
  if (median > LIMIT_MS) {
    console.log(`FAIL: median above ${String(LIMIT_MS)} ms`);
    failed = true;
  }

  const loaded = loadedModules();
  const own = loaded.filter((url) => url.includes('/apps/cli/'));
  const forbidden = loaded.filter((url) => FORBIDDEN.test(url));
  console.log(
    `  modules loaded: ${String(loaded.length)} (${String(own.length)} of apps/cli, ` +
      `${String(loaded.filter((u) => u.includes('/node_modules/')).length)} from node_modules)`,
  );
  if (own.length === 0) {
    console.log('FAIL: the load hook saw none of apps/cli (the check is blind)');
    failed = true;
  }
  if (forbidden.length > 0) {
    console.log(`FAIL: --help loads ${String(forbidden.length)} forbidden modules, e.g.:`);
    for (const url of forbidden.slice(0, 10)) console.log(`    ${url}`);
    failed = true;
  } else {
    console.log('  none from @nestjs, @aws-sdk, mongoose, mongodb, apps/api or libs/');
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
