// Runs the compiled test files with Node's own test runner, one process per file.
//   node scripts/run-tests.mjs            every test
//   node scripts/run-tests.mjs --unit     *.spec.js only
//   node scripts/run-tests.mjs --e2e      *.e2e.js only
//   node scripts/run-tests.mjs path/fragment ...   only files whose path contains a fragment
// Runs over dist/, as `npm run build:dev` (nest build dev) leaves it, and over the web client's
// specs (apps/web/src/**/*.spec.ts, unit tests): those are outside the nest build, so they run
// from source with tsx as a loader (it resolves their extensionless imports to .ts) in a second
// `node --test` with the same reporter; the terminal client's specs (apps/cli/src/**/*.spec.ts,
// unit tests, outside the nest build too) run from source with no loader at all, as the client
// itself does (Node's type stripping; they import with .ts extensions). The exit code is non-zero
// if any run failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const outDir = 'dist';
const webDir = join('apps', 'web', 'src');
const cliDir = join('apps', 'cli', 'src');
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

const matches = (f) => filters.length === 0 || filters.some((frag) => f.includes(frag));

const files = (existsSync(outDir) ? walk(outDir) : [])
  .filter((f) => (unit ? /\.spec\.js$/ : e2e ? /\.e2e\.js$/ : /\.(spec|e2e)\.js$/).test(f))
  // An incremental build leaves the output of deleted or renamed specs behind: run only those
  // whose source still exists.
  .filter((f) => existsSync(relative(outDir, f).replace(/\.js$/, '.ts')))
  // apps/cli is not part of the nest build; an output of it left by an older build is stale.
  .filter((f) => !relative(outDir, f).startsWith(join('apps', 'cli') + '/'))
  .filter(matches)
  .sort();
const webFiles = e2e
  ? []
  : walk(webDir)
      .filter((f) => /\.spec\.ts$/.test(f))
      .filter(matches)
      .sort();

const cliFiles = e2e
  ? []
  : walk(cliDir)
      .filter((f) => /\.spec\.ts$/.test(f))
      .filter(matches)
      .sort();

if (files.length === 0 && webFiles.length === 0 && cliFiles.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// Node's on-disk compile cache: the ~100 test processes (and the apps they start) load the same
// modules, and reusing their compiled code cuts each start by about a third.
const compileCache = resolve('node_modules', '.cache', 'node-compile');

const runTests = (loaderArgs, testFiles, env) =>
  spawnSync(
    process.execPath,
    [
      ...loaderArgs,
      '--enable-source-maps',
      '--test',
      '--test-concurrency=' + (process.env.TEST_CONCURRENCY ?? '3'),
      '--test-timeout=' + (process.env.TEST_TIMEOUT_MS ?? '120000'),
      '--test-reporter=' + (process.env.TEST_REPORTER ?? 'spec'),
      ...testFiles,
    ],
    { stdio: 'inherit', env: { ...process.env, NODE_COMPILE_CACHE: compileCache, ...env } },
  ).status ?? 1;

const status = [
  files.length === 0 ? 0 : runTests([], files, {}),
  // tsx compiles with the web client's settings, not the server's decorators and paths.
  webFiles.length === 0
    ? 0
    : runTests(['--import', 'tsx'], webFiles, { TSX_TSCONFIG_PATH: 'apps/web/tsconfig.spec.json' }),
  cliFiles.length === 0 ? 0 : runTests([], cliFiles, {}),
];
process.exit(status.every((s) => s === 0) ? 0 : 1);
