import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, register } from 'prom-client';
import { DurationHistogram } from './duration-histogram.js';

const BOUNDS = [0.005, 0.1, 1];
const OBSERVED: [string, string, number][] = [
  ['GET', '/a', 0.001],
  ['GET', '/a', 0.005],
  ['GET', '/a', 0.05],
  ['POST', '/b "quoted"', 0.5],
  ['GET', '/a', 30],
  ['POST', '/b "quoted"', 1],
];

describe('DurationHistogram', () => {
  it("is written to /metrics exactly as prom-client's own histogram with the same observations", async () => {
    const ours = new DurationHistogram(
      'sx_spec_ours_seconds',
      'Spec.',
      ['method', 'route'],
      BOUNDS,
    );
    const theirs = new Histogram({
      name: 'sx_spec_theirs_seconds',
      help: 'Spec.',
      labelNames: ['method', 'route'],
      buckets: BOUNDS,
    });
    for (const [method, route, seconds] of OBSERVED) {
      ours.series({ method, route }).observe(seconds);
      theirs.labels({ method, route }).observe(seconds);
    }
    const text = await register.getSingleMetricAsString('sx_spec_ours_seconds');
    const expected = await register.getSingleMetricAsString('sx_spec_theirs_seconds');
    assert.equal(text, expected.replaceAll('sx_spec_theirs_seconds', 'sx_spec_ours_seconds'));
    assert.match(text, /sx_spec_ours_seconds_bucket\{le="\+Inf",method="GET",route="\/a"\} 4/);
    assert.match(text, /sx_spec_ours_seconds_bucket\{le="0.005",method="GET",route="\/a"\} 2/);
  });

  it('hands out one series per label set, and reset() zeroes it without dropping it', async () => {
    const h = new DurationHistogram('sx_spec_reset_seconds', 'Spec.', ['route'], BOUNDS);
    const series = h.series({ route: '/x' });
    assert.equal(h.series({ route: '/x' }), series);
    series.observe(0.2);
    series.observe(Number.NaN);
    assert.equal(series.count, 1, 'a value that is not a number is not counted');
    h.reset();
    series.observe(0.2);
    const text = await register.getSingleMetricAsString('sx_spec_reset_seconds');
    assert.match(text, /sx_spec_reset_seconds_count\{route="\/x"\} 1/);
    assert.match(text, /sx_spec_reset_seconds_bucket\{le="0.1",route="\/x"\} 0/);
    assert.match(text, /sx_spec_reset_seconds_bucket\{le="1",route="\/x"\} 1/);
  });
});
