// Fault scenarios for the operational e2e specs: a kubelet-like readiness prober, and one run
// of "healthy → fault → unready → fault ends → ready again" through a fault proxy, measured.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultMode, FaultProxy, FaultSettings } from '../../support/fault-proxy.js';
import { probe } from '../../support/probe.js';

/** The kubelet's default is 10 s; the specs probe every 500 ms to keep their wall time short. */
export const PROBE_INTERVAL_MS = 500;
// Client-side bound of one probe: far above what the specs accept, so a slow probe is measured
// (and fails its assertion) instead of stalling the spec.
const PROBE_CLIENT_TIMEOUT_MS = 5_000;

export interface ReadinessSample {
  /** performance.now() when the probe was sent. */
  startedAt: number;
  /** performance.now() when its answer (or error) arrived. */
  endedAt: number;
  elapsedMs: number;
  /** HTTP status; 0 when the probe got no answer at all. */
  status: number;
  body: unknown;
}

/**
 * Polls `/health/ready` like a kubelet: one probe at a time, the next one `intervalMs` after
 * the previous one started (or as soon as it ended, if it took longer). The only traffic a
 * fault scenario sends to the app.
 */
export class ReadinessProber {
  readonly samples: ReadinessSample[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly intervalMs = PROBE_INTERVAL_MS,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Resolves with the first sample sent at or after `since` that matches, or fails. */
  async waitFor(
    what: string,
    since: number,
    deadlineMs: number,
    match: (s: ReadinessSample) => boolean,
  ): Promise<ReadinessSample> {
    const deadline = since + deadlineMs;
    for (;;) {
      const found = this.samples.find((s) => s.startedAt >= since && match(s));
      if (found !== undefined) return found;
      if (performance.now() > deadline + PROBE_CLIENT_TIMEOUT_MS) {
        const last = this.samples.at(-1);
        const said =
          last === undefined ? 'no answer' : `${String(last.status)} ${JSON.stringify(last.body)}`;
        throw new Error(
          `${this.name}: ${what} did not happen within ${String(deadlineMs)} ms (last: ${said})`,
        );
      }
      await sleep(20);
    }
  }

  /** Samples sent in [from, to). */
  between(from: number, to: number): ReadinessSample[] {
    return this.samples.filter((s) => s.startedAt >= from && s.startedAt < to);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const startedAt = performance.now();
      let sample: ReadinessSample;
      try {
        const res = await probe(this.url, PROBE_CLIENT_TIMEOUT_MS);
        const endedAt = performance.now();
        sample = { ...res, startedAt, endedAt, elapsedMs: endedAt - startedAt };
      } catch (err) {
        const endedAt = performance.now();
        sample = { startedAt, endedAt, elapsedMs: endedAt - startedAt, status: 0, body: err };
      }
      this.samples.push(sample);
      const wait = startedAt + this.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
  }
}

/** The Terminus detail of one indicator in a readiness body (`{ status, circuit, … }`). */
export function detailOf(body: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  return (body as { details?: Record<string, Record<string, unknown>> }).details?.[key];
}

export interface FaultRun {
  /** performance.now() when the fault started and when it ended. */
  faultAt: number;
  endAt: number;
  /** From the switch to the first 503 answer, per prober. */
  unreadyAfterMs: Record<string, number>;
  /** Slowest probe from the switch until ready again, per prober. */
  slowestProbeMs: Record<string, number>;
  /** Probes sent once the breaker reported open, until the fault ended, per prober. */
  openProbesMs: Record<string, number[]>;
  /** From the end of the fault to the first 200 answer, per prober. */
  readyAfterMs: Record<string, number>;
  /** Client connections the proxy held open when the fault ended. */
  openConnectionsAtEnd: number;
  /** Probes answered 200 after the first 503, before the fault ended (flapping). */
  readyDuringFault: Record<string, number>;
  /** The last 503 body before recovery, per prober (for messages). */
  lastUnready: Record<string, ReadinessSample>;
}

export interface FaultRunOptions {
  proxy: FaultProxy;
  probers: ReadinessProber[];
  mode: FaultMode;
  settings?: FaultSettings;
  /** Deadline for readiness to turn 503. */
  unreadyWithinMs: number;
  /**
   * When given, the fault lasts until every prober has seen this many probes answered with the
   * breaker open (after the one that opened it); e.g. `(s) => detailOf(s.body, 'storage')
   * ?.circuit === 'open'`.
   */
  breakerOpen?: { match: (s: ReadinessSample) => boolean; probes: number; withinMs: number };
  /** Keep the fault this much longer once the scenario's condition is met. */
  holdMs?: number;
  /** Deadline for readiness to be 200 again after the fault ends. */
  readyWithinMs: number;
  /** Runs while the fault is on and the breaker is open (e.g. a storage-backed request). */
  whileOpen?: () => Promise<void>;
}

/**
 * Probers must be running and the app ready. Switches the proxy to the fault, waits for each
 * prober to see 503 (and the breaker open, if asked), ends the fault and waits for 200 again.
 * Returns the measurements; the caller asserts them.
 */
export async function runFault(options: FaultRunOptions): Promise<FaultRun> {
  const { proxy, probers } = options;
  const faultAt = performance.now();
  const run: FaultRun = {
    faultAt,
    endAt: 0,
    openConnectionsAtEnd: 0,
    unreadyAfterMs: {},
    slowestProbeMs: {},
    openProbesMs: {},
    readyAfterMs: {},
    lastUnready: {},
    readyDuringFault: {},
  };

  proxy.setMode(options.mode, options.settings);
  for (const p of probers) {
    const unready = await p.waitFor(
      '503',
      faultAt,
      options.unreadyWithinMs,
      (s) => s.status === 503,
    );
    run.unreadyAfterMs[p.name] = unready.endedAt - faultAt;
  }

  const open = options.breakerOpen;
  const openedAt: Record<string, number> = {};
  if (open !== undefined) {
    for (const p of probers) {
      const opened = await p.waitFor('breaker open', faultAt, open.withinMs, open.match);
      // Probes after the one that saw it open: that one may have been the call that opened it.
      openedAt[p.name] = opened.endedAt;
      const enough = () => p.between(opened.endedAt, Infinity).length >= open.probes;
      const deadline = performance.now() + open.probes * 2 * PROBE_CLIENT_TIMEOUT_MS;
      while (!enough()) {
        if (performance.now() > deadline) throw new Error(`${p.name}: no probes after opening`);
        await sleep(20);
      }
    }
    await options.whileOpen?.();
  }
  if (options.holdMs !== undefined) await sleep(options.holdMs);
  run.openConnectionsAtEnd = proxy.openConnections;

  const endAt = performance.now();
  run.endAt = endAt;
  proxy.setMode('pass');
  for (const p of probers) {
    const ready = await p.waitFor(
      '200 again',
      endAt,
      options.readyWithinMs,
      (s) => s.status === 200,
    );
    run.readyAfterMs[p.name] = ready.endedAt - endAt;
    const during = p.samples.filter((s) => s.endedAt > faultAt && s.startedAt <= ready.startedAt);
    run.slowestProbeMs[p.name] = Math.max(...during.map((s) => s.elapsedMs));
    const unready = during.filter((s) => s.status === 503);
    // What the fault itself made the app say: the last 503 answered before the fault ended. (The
    // worker may answer 503 a moment longer, naming only its `jobs` entry, until each job has
    // ticked again.)
    const last = unready.filter((s) => s.endedAt <= endAt).at(-1) ?? unready.at(-1);
    // Not ready for the whole fault: no 200 between the first 503 and the end of the fault.
    const firstUnready = faultAt + (run.unreadyAfterMs[p.name] ?? 0);
    run.readyDuringFault[p.name] = p
      .between(firstUnready, endAt)
      .filter((s) => s.status === 200 && s.endedAt < endAt).length;
    if (last !== undefined) run.lastUnready[p.name] = last;
    const openFrom = openedAt[p.name];
    if (openFrom !== undefined) {
      run.openProbesMs[p.name] = p.between(openFrom, endAt).map((s) => Math.round(s.elapsedMs));
    }
  }
  return run;
}

/** One line of what a run measured (ms, rounded), for the test report. */
export function measured(run: FaultRun): string {
  const round = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([name, ms]) => `${name} ${String(Math.round(ms))}`)
      .join(', ');
  const open = Object.entries(run.openProbesMs)
    .map(([name, ms]) => `${name} ${String(Math.max(...ms))}`)
    .join(', ');
  return [
    `503 after: ${round(run.unreadyAfterMs)}`,
    `slowest probe: ${round(run.slowestProbeMs)}`,
    ...(open === '' ? [] : [`slowest probe while open: ${open}`]),
    `200 again after: ${round(run.readyAfterMs)}`,
    `connections held at the end: ${String(run.openConnectionsAtEnd)}`,
  ].join('; ');
}
