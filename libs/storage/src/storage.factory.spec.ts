import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicyOptions } from './storage.factory.js';
import type { S3Settings } from './s3-client.factory.js';

const s3 = (
  connectTimeoutMs: number,
  requestTimeoutMs: number,
  maxAttempts: number,
): S3Settings => ({
  endpoint: 'http://127.0.0.1:9000',
  publicEndpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  bucket: 'b',
  accessKeyId: 'a',
  secretAccessKey: 's',
  forcePathStyle: true,
  connectTimeoutMs,
  requestTimeoutMs,
  maxAttempts,
});

describe('default resilience settings', () => {
  it('give every SDK attempt its time, plus a second for backoff', () => {
    assert.equal(defaultPolicyOptions(s3(500, 2000, 2)).callTimeoutMs, 5500);
  });

  it('never let one call hold a request longer than 15 s', () => {
    assert.equal(defaultPolicyOptions(s3(3000, 10_000, 3)).callTimeoutMs, 15_000);
  });

  it('open after 5 consecutive failures, probe again after 5 s', () => {
    const options = defaultPolicyOptions(s3(3000, 10_000, 3));
    assert.equal(options.consecutiveFailures, 5);
    assert.equal(options.halfOpenAfterMs, 5000);
  });
});
