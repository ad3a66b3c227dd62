import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { register } from 'prom-client';
import { ensureDefaultMetrics, httpDurationHistogram, recordHttpMetrics } from './http-metrics.js';

describe('http metrics', () => {
  it('registers once per process, however many apps start', () => {
    ensureDefaultMetrics();
    ensureDefaultMetrics();
    assert.equal(httpDurationHistogram(), httpDurationHistogram());
  });

  it('labels by route template, and unmatched requests by a fixed label', async () => {
    const fastify = Fastify();
    recordHttpMetrics(fastify);
    fastify.get('/v1/files/:fileId', () => ({ ok: true }));
    await fastify.inject({ method: 'GET', url: '/v1/files/abc123' });
    await fastify.inject({ method: 'GET', url: '/v1/secret-token-xyz' });
    await fastify.close();

    const text = await register.getSingleMetricAsString('http_request_duration_seconds');
    assert.match(
      text,
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/files\/:fileId",status_code="200"\} 1/,
    );
    assert.match(text, /route="unmatched",status_code="404"\} 1/);
    assert.doesNotMatch(text, /abc123|secret-token-xyz/);
  });
});
