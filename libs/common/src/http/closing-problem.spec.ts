import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closingProblem } from './closing-problem.js';

describe('closingProblem', () => {
  const closing =
    '{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}';

  it('rewrites the drain-time 503 into problem+json with the request id', () => {
    const body = JSON.parse(closingProblem(503, closing, 'r-1') ?? 'null') as Record<
      string,
      unknown
    >;
    assert.equal(body.code, 'SERVICE_UNAVAILABLE');
    assert.equal(body.status, 503);
    assert.equal(body.requestId, 'r-1');
  });

  it('leaves every other response alone', () => {
    assert.equal(closingProblem(200, closing, 'r'), undefined);
    assert.equal(closingProblem(503, '{"code":"STORAGE_UNAVAILABLE"}', 'r'), undefined);
    assert.equal(closingProblem(503, Buffer.from(closing), 'r'), undefined);
  });
});
