// `npm test`'s static checks, side by side: ESLint (type-aware), Prettier and the TypeScript
// type checks (server and tests, apps/web, apps/web's specs, apps/cli) each take one core for a while, so
// running them at once saves ~20 s on two cores.
// Each one's output is printed whole when it ends; the exit code is non-zero if any failed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
const checks = [
  { name: 'eslint', cmd: bin('eslint'), args: ['.'] },
  { name: 'tsc', cmd: bin('tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  // The web client has its own program: DOM libraries and Preact's JSX, no Node types.
  { name: 'tsc web', cmd: bin('tsc'), args: ['-p', 'apps/web/tsconfig.json', '--noEmit'] },
  // Its specs: the same settings plus Node's types (node:test), kept out of the program above.
  {
    name: 'tsc web specs',
    cmd: bin('tsc'),
    args: ['-p', 'apps/web/tsconfig.spec.json', '--noEmit'],
  },
  // The terminal client: its own program (Node's type stripping: erasable syntax, .ts imports).
  { name: 'tsc cli', cmd: bin('tsc'), args: ['-p', 'apps/cli/tsconfig.json', '--noEmit'] },
  { name: 'prettier', cmd: bin('prettier'), args: ['--check', '.', '--log-level', 'warn'] },
];

const results = await Promise.all(
  checks.map(
    ({ name, cmd, args }) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('error', (err) => (output += `${err.message}\n`));
        child.on('close', (code) => {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          const verdict = code === 0 ? 'ok' : `FAILED (exit ${String(code)})`;
          process.stdout.write(`[check] ${name}: ${verdict} in ${seconds} s\n${output}`);
          resolve(code === 0);
        });
      }),
  ),
);
process.exit(results.every(Boolean) ? 0 : 1);
