// Compiles the whole monorepo (apps, libs, tests, benchmarks) with tsc, then rewrites the
// `@app/*` path aliases to relative imports with tsc-alias so plain `node` can run the output.
// OUT_DIR=.build/<name> builds elsewhere, so parallel work does not race on dist/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const outDir = process.env.OUT_DIR ?? 'dist';
const bin = (name) => join('node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

// tsc emits even when it reports type errors; finish the output anyway (so a half-edited file
// elsewhere does not leave unresolved aliases behind) and fail with tsc's status at the end.
const tscStatus = run(bin('tsc'), [
  '-p',
  'tsconfig.json',
  '--outDir',
  outDir,
  '--tsBuildInfoFile',
  join(outDir, '.tsbuildinfo'),
]);
const aliasStatus = run(bin('tsc-alias'), ['-p', 'tsconfig.json', '--outDir', outDir]);
mkdirSync(outDir, { recursive: true });
// The compiled tree is ESM, like the sources.
writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
// tsc emits apps/<app>/src/main.ts to <out>/apps/<app>/src/main.js; operators run the shorter
// `node dist/apps/<app>/main.js`, so each app gets a one-line entry file there.
for (const app of ['api', 'worker']) {
  mkdirSync(join(outDir, 'apps', app), { recursive: true });
  writeFileSync(join(outDir, 'apps', app, 'main.js'), "import './src/main.js';\n");
}
process.exit(tscStatus !== 0 ? tscStatus : aliasStatus);
