// `npm start`: compiles the monorepo (`nest build dev`) when the compiled tree is missing or older
// than the sources, builds the web client (dist/web) when apps/web changed since, then runs the
// compiled launcher (libs/devstack/src/embedded/launcher.ts) in this same process, so Ctrl-C and
// SIGTERM reach it directly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const outDir = 'dist';
// Written after each successful build here (tsc leaves .tsbuildinfo alone when nothing changed).
const stamp = join(outDir, '.start-stamp');
const launcher = join(outDir, 'libs', 'devstack', 'src', 'embedded', 'launcher.js');
const entries = [
  launcher,
  join(outDir, 'apps', 'api', 'src', 'main.js'),
  join(outDir, 'apps', 'worker', 'src', 'main.js'),
];

const webIndex = join(outDir, 'web', 'index.html');
const SERVER_INPUT = /\.(ts|json|mjs)$/;
const WEB_INPUT = /\.(ts|tsx|json|css|html|svg)$/;

// Newest modification time under a directory, looking only at inputs of the build.
function newest(path, inputs = SERVER_INPUT) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return inputs.test(path) ? info.mtimeMs : 0;
  let max = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules') continue;
    max = Math.max(max, newest(join(path, name), inputs));
  }
  return max;
}

function isWebStale() {
  const built = statSync(webIndex, { throwIfNoEntry: false });
  if (!built) return true;
  return (
    Math.max(newest(join('apps', 'web'), WEB_INPUT), newest('package-lock.json')) > built.mtimeMs
  );
}

function isStale() {
  if (!existsSync(stamp) || entries.some((file) => !existsSync(file))) return true;
  const inputs = ['apps', 'libs', 'tsconfig.json', 'nest-cli.json', 'package-lock.json'];
  const sources = Math.max(...inputs.map((path) => newest(path)));
  return sources > statSync(stamp).mtimeMs;
}

// A local .env (see .env.example) fills in what the shell did not set; the shell wins.
if (existsSync('.env')) {
  process.loadEnvFile('.env');
  console.log('[start] loaded settings from .env');
}

if (isStale()) {
  console.log(`[start] compiling into ${outDir}/ …`);
  const started = Date.now();
  const nest = join('node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  const r = spawnSync(process.execPath, [nest, 'build', 'dev'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[start] the build failed; fix the errors above and run npm start again');
    process.exit(r.status ?? 1);
  }
  writeFileSync(stamp, new Date().toISOString() + '\n');
  console.log(`[start] compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (isWebStale()) {
  console.log(`[start] building the web client into ${outDir}/web/ …`);
  const vite = join('node_modules', 'vite', 'bin', 'vite.js');
  const args = [
    vite,
    'build',
    '--config',
    join('apps', 'web', 'vite.config.ts'),
    '--logLevel',
    'warn',
  ];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[start] the web build failed; fix the errors above and run npm start again');
    process.exit(r.status ?? 1);
  }
}

await import(pathToFileURL(resolve(launcher)).href);
