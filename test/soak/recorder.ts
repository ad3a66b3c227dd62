// Every request the soak makes, by route: its status and its latency (until the body was read),
// for the figures at the end and the "no 5xx at any point" invariant.

export interface RouteFigures {
  route: string;
  count: number;
  /** Status → how many (0: the request failed at the network level). */
  statuses: Map<number, number>;
  p50: number;
  p99: number;
  max: number;
}

export interface ServerError {
  route: string;
  status: number;
  at: number;
  detail: string;
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);

export class Recorder {
  private readonly latencies = new Map<string, number[]>();
  private readonly statuses = new Map<string, Map<number, number>>();
  /** 5xx answers and network failures, with what the server said (first few hundred kept). */
  readonly serverErrors: ServerError[] = [];

  record(route: string, status: number, ms: number, detail = ''): void {
    let list = this.latencies.get(route);
    if (list === undefined) this.latencies.set(route, (list = []));
    list.push(ms);
    let counts = this.statuses.get(route);
    if (counts === undefined) this.statuses.set(route, (counts = new Map<number, number>()));
    counts.set(status, (counts.get(status) ?? 0) + 1);
    if ((status >= 500 || status === 0) && this.serverErrors.length < 200) {
      this.serverErrors.push({ route, status, at: Date.now(), detail: detail.slice(0, 300) });
    }
  }

  get total(): number {
    let n = 0;
    for (const list of this.latencies.values()) n += list.length;
    return n;
  }

  /** Every status over every route → how many. */
  byStatus(): Map<number, number> {
    const all = new Map<number, number>();
    for (const counts of this.statuses.values()) {
      for (const [status, n] of counts) all.set(status, (all.get(status) ?? 0) + n);
    }
    return new Map([...all].sort(([x], [y]) => x - y));
  }

  routes(): RouteFigures[] {
    return [...this.latencies.entries()]
      .map(([route, list]) => {
        const sorted = [...list].sort((x, y) => x - y);
        return {
          route,
          count: list.length,
          statuses: this.statuses.get(route) ?? new Map<number, number>(),
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          max: sorted[sorted.length - 1] ?? 0,
        };
      })
      .sort((x, y) => x.route.localeCompare(y.route));
  }
}
