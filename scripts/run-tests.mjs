// Runs the compiled test files with Node's own test runner, one process per file.
//   node scripts/run-tests.mjs            every test
//   node scripts/run-tests.mjs --unit     *.spec.js only
//   node scripts/run-tests.mjs --e2e      *.e2e.js only
//   node scripts/run-tests.mjs path/fragment ...   only files whose path contains a fragment
// Runs over dist/, as `npm run build:dev` (nest build dev) leaves it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const outDir = 'dist';
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const e2e = args.includes('--e2e');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walk(path));
    else found.push(path);
  }
  return found;
}

const files = walk(outDir)
  .filter((f) => (unit ? /\.spec\.js$/ : e2e ? /\.e2e\.js$/ : /\.(spec|e2e)\.js$/).test(f))
  // An incremental build leaves the output of deleted or renamed specs behind: run only those
  // whose source still exists.
  .filter((f) => existsSync(relative(outDir, f).replace(/\.js$/, '.ts')))
  .filter((f) => filters.length === 0 || filters.some((frag) => f.includes(frag)))
  .sort();

if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// Node's on-disk compile cache: the ~100 test processes (and the apps they start) load the same
// modules, and reusing their compiled code cuts each start by about a third.
const compileCache = resolve('node_modules', '.cache', 'node-compile');

const r = spawnSync(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-concurrency=' + (process.env.TEST_CONCURRENCY ?? '3'),
    '--test-timeout=' + (process.env.TEST_TIMEOUT_MS ?? '120000'),
    '--test-reporter=' + (process.env.TEST_REPORTER ?? 'spec'),
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_COMPILE_CACHE: compileCache } },
);
process.exit(r.status ?? 1);
