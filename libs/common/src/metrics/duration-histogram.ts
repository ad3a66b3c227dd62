import { register, type Metric } from 'prom-client';

interface ValuePair {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** One label set's buckets (not cumulative: each counts the values up to its bound only). */
export class HistogramSeries {
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] ?? Infinity)) i++;
    if (i < this.counts.length) this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sum += value;
    this.count += 1;
  }

  /** Cumulative counts, one per bound: the values up to it, as Prometheus' `le` buckets say. */
  cumulative(): number[] {
    let total = 0;
    return Array.from(this.counts, (count) => (total += count));
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/**
 * A Prometheus histogram whose observation is one map lookup of its series (`series()`), a
 * bucket search and three additions; prom-client's labelled child validates and hashes its
 * labels again on every observation (~1.5 µs a request, the largest single cost of a bare
 * request's metrics here). It lives in prom-client's registry beside the other metrics, which
 * formats it as it formats its own histograms (it asks a metric for its name, help, type,
 * aggregator and `get()` only): the same lines, labels and order.
 */
export class DurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly all = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {
    register.registerMetric(this as unknown as Metric);
  }

  /**
   * The series of `labels` (every label name given), created on first use. Cheap enough to call
   * per observation: one key and one map lookup.
   */
  series(labels: Readonly<Record<string, string>>): HistogramSeries {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name] ?? ''}\u0000`;
    let found = this.all.get(key);
    if (found === undefined) {
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name] ?? '';
      found = new HistogramSeries(own, this.bounds);
      this.all.set(key, found);
    }
    return found;
  }

  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: ValuePair[];
  }> {
    const values: ValuePair[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.all.values()) {
      const counts = series.cumulative();
      this.bounds.forEach((le, i) => {
        values.push({
          labels: { le, ...series.labels },
          value: counts[i] ?? 0,
          metricName: bucket,
        });
      });
      values.push(
        { labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: bucket },
        { labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` },
        { labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` },
      );
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** Zeroes every series (held series stay usable), as the registry's resetMetrics() asks. */
  reset(): void {
    for (const series of this.all.values()) series.reset();
  }
}
