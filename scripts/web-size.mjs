// Prints what the built web client (dist/web) ships: each asset's raw and gzipped size, and the
// total gzipped JavaScript against the 60 KiB budget. Exits non-zero over budget.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KIB = 60;
const dir = join('dist', 'web', 'assets');
const kib = (bytes) => (bytes / 1024).toFixed(1);

let jsGzip = 0;
for (const name of readdirSync(dir).sort()) {
  const body = readFileSync(join(dir, name));
  const gzip = gzipSync(body, { level: 9 }).length;
  if (name.endsWith('.js')) jsGzip += gzip;
  console.log(`[web-size] ${name}: ${kib(body.length)} KiB, ${kib(gzip)} KiB gzipped`);
}
console.log(`[web-size] JavaScript: ${kib(jsGzip)} KiB gzipped (budget ${String(BUDGET_KIB)} KiB)`);
if (jsGzip > BUDGET_KIB * 1024) {
  console.error('[web-size] over budget');
  process.exit(1);
}
