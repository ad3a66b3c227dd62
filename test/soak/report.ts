// The soak's figures: what was driven, requests and errors by status, latency per route,
// storage requests per process (from the S3 taps), and the invariants' verdicts.
import type { ReplicaCluster } from '../support/replica-cluster.js';
import type { Verdict } from './invariants.js';
import type { Ledger } from './ledger.js';
import type { Recorder } from './recorder.js';

export interface Figures {
  recorder: Recorder;
  ledger: Ledger;
  cluster: ReplicaCluster;
  drivenMs: number;
  drivenRequests: number;
  checkMs: number;
  verdicts: Verdict[];
}

const ms = (value: number): string => value.toFixed(1).padStart(8);
const statuses = (counts: Map<number, number>): string =>
  [...counts]
    .sort(([x], [y]) => x - y)
    .map(([status, n]) => `${String(status)}×${String(n)}`)
    .join(' ');

export function printFigures(f: Figures): void {
  const { recorder, ledger } = f;
  const seconds = f.drivenMs / 1000;
  const c = ledger.counts;
  console.log('');
  console.log(
    `driven ${seconds.toFixed(1)} s: ${String(f.drivenRequests)} requests ` +
      `(${(f.drivenRequests / seconds).toFixed(1)}/s); checks ${(f.checkMs / 1000).toFixed(1)} s, ` +
      `${String(recorder.total)} requests in all`,
  );
  console.log(
    `sessions ${String(c.sessions)} (closed ${String(c.closes)}), pairings ${String(c.pairings)} ` +
      `(approved ${String(c.approvals)}), uploads ${String(c.singleUploads)} single + ` +
      `${String(c.multipartUploads)} multipart, downloads ${String(c.downloads)}, ` +
      `deletes ${String(c.deletes)}`,
  );
  console.log(`statuses: ${statuses(recorder.byStatus())}`);
  console.log('');
  console.log(
    `${'route'.padEnd(48)} ${'count'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  statuses`,
  );
  for (const r of recorder.routes()) {
    console.log(
      `${r.route.padEnd(48)} ${String(r.count).padStart(6)} ${ms(r.p50)} ${ms(r.p99)} ${ms(r.max)}  ${statuses(r.statuses)}`,
    );
  }
  console.log('');
  for (const replica of [...f.cluster.apis, ...f.cluster.workers]) {
    const byOp = new Map<string, number>();
    for (const r of replica.s3.requests) byOp.set(r.operation, (byOp.get(r.operation) ?? 0) + 1);
    const list = [...byOp]
      .sort(([, x], [, y]) => y - x)
      .map(([op, n]) => `${op} ${String(n)}`)
      .join(', ');
    console.log(
      `storage calls of ${replica.name}: ${String(replica.s3.requests.length)} (${list})`,
    );
  }
  console.log('');
  for (const v of f.verdicts) console.log(`${v.ok ? 'ok  ' : 'FAIL'} ${v.name}: ${v.detail}`);
  if (f.verdicts.some((v) => !v.ok)) {
    for (const { name, api } of f.cluster.apis) {
      console.log(
        `\n--- ${name} output (last 4000 characters)\n${(api.run.stdout() + api.run.stderr()).slice(-4000)}`,
      );
    }
    for (const { name, worker } of f.cluster.workers) {
      console.log(
        `\n--- ${name} output (last 4000 characters)\n${(worker.run.stdout() + worker.run.stderr()).slice(-4000)}`,
      );
    }
  }
}
