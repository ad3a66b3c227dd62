// Reads a V8 CPU profile (node --cpu-prof, e.g. from BENCH_PROFILE=1 npm run bench:pipeline)
// and prints where the samples went: self time by package (node_modules/<pkg>, our own
// apps/ and libs/ folders, Node internals, GC, idle) and the hottest functions.
// Run: node dist/test/bench/profile-summary.js profiles/<file>.cpuprofile [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The bucket a frame's self time counts to. */
function bucketOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (['(idle)', '(program)', '(garbage collector)'].includes(functionName)) return functionName;
    return '(native)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  if (url.startsWith('node:')) return 'node:' + (url.slice(5).split('/')[0] ?? '');
  const own = /dist\/((?:apps|libs)\/[^/]+\/src\/(?:modules\/)?[^/]+)/.exec(url);
  if (own?.[1] !== undefined) return own[1];
  return url;
}

const [path, topArg] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
const busy = total - idle.reduce((a, [, us]) => a + us, 0);
const buckets = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (frame === undefined || frame.functionName === '(idle)') continue;
  const bucket = bucketOf(frame);
  buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
  const name = `${frame.functionName || '(anonymous)'} ${bucket}:${String(frame.lineNumber + 1)}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
}
// Inclusive time: each sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);
const frameName = (node: ProfileNode): string =>
  `${node.callFrame.functionName || '(anonymous)'} ${bucketOf(node.callFrame)}:${String(node.callFrame.lineNumber + 1)}`;
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (node === undefined || node.callFrame.url === '') continue;
    seen.add(frameName(node));
  }
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
}
const pct = (us: number): string => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
const top = Number(topArg ?? 25);
console.log(`busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled`);
console.log('\nself time by package');
for (const [bucket, us] of [...buckets].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)}  ${bucket}`);
}
console.log('\nhottest functions (self)');
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)}  ${name}`);
}
console.log('\nhottest functions (inclusive)');
for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)}  ${name}`);
}
