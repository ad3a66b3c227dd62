import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpenAPIObject } from '@nestjs/swagger';
import { LIVENESS_BODY, LIVENESS_PATH, withLivenessOperation } from './liveness.js';

const scanned = (paths: string[]): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: Object.fromEntries(paths.map((p) => [p, { get: { responses: {} } }])),
});

describe('withLivenessOperation', () => {
  it('documents /health/live as public, before /health/ready, with the body it answers', () => {
    const doc = withLivenessOperation(scanned(['/v1/auth/me', '/health/ready', '/metrics']));
    assert.deepEqual(Object.keys(doc.paths), [
      '/v1/auth/me',
      LIVENESS_PATH,
      '/health/ready',
      '/metrics',
    ]);
    const op = doc.paths[LIVENESS_PATH]?.get;
    assert.ok(op?.summary);
    assert.equal((op as unknown as Record<string, unknown>)['x-public'], true);
    const ok = op.responses['200'] as { content: Record<string, { example: unknown }> };
    assert.deepEqual(ok.content['application/json']?.example, LIVENESS_BODY);
  });

  it('still documents it when the document has no readiness route', () => {
    const doc = withLivenessOperation(scanned(['/metrics']));
    assert.deepEqual(Object.keys(doc.paths), ['/metrics', LIVENESS_PATH]);
  });
});
