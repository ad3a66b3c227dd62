import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { StorageUnavailableError } from '../src/errors/storage-errors.js';
import { createStorage } from '../src/storage.factory.js';

// A scripted S3 stand-in: answers each request with the next status of `script` (then 200).
function scriptedServer(script: number[]) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.resume();
    const status = script.shift() ?? 200;
    res.statusCode = status;
    if (status >= 500 && req.method !== 'HEAD') {
      res.setHeader('content-type', 'application/xml');
      res.end('<Error><Code>InternalError</Code><Message>boom</Message></Error>');
    } else {
      res.end();
    }
  });
  return { server, seen, script };
}

function settings(endpoint: string, maxAttempts: number) {
  return {
    endpoint,
    publicEndpoint: endpoint,
    region: 'us-east-1',
    bucket: 'scripted',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    forcePathStyle: true,
    connectTimeoutMs: 500,
    requestTimeoutMs: 2000,
    maxAttempts,
    breakerFailures: 5,
    breakerHalfOpenMs: 5000,
  };
}

describe('storage over HTTP faults', () => {
  let fake: ReturnType<typeof scriptedServer>;
  let endpoint: string;

  before(async () => {
    fake = scriptedServer([]);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const address = fake.server.address();
    assert.ok(address !== null && typeof address === 'object');
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    fake.server.closeAllConnections();
    await new Promise<void>((resolve) => fake.server.close(() => resolve()));
  });

  it('a transient 503 is retried once by the SDK and the call succeeds', async () => {
    fake.seen.length = 0;
    fake.script.push(503);
    const storage = createStorage(settings(endpoint, 3));
    try {
      await storage.service.headBucket();
      assert.deepEqual(fake.seen, ['HEAD /scripted/', 'HEAD /scripted/']);
      assert.equal(storage.policy.circuitState, 'closed');
    } finally {
      storage.close();
    }
  });

  it('persistent 500s open the breaker; afterwards storage is not called at all', async () => {
    fake.seen.length = 0;
    fake.script.push(...Array<number>(10).fill(500));
    const storage = createStorage(settings(endpoint, 1), {
      consecutiveFailures: 3,
      halfOpenAfterMs: 60_000,
    });
    try {
      for (let i = 0; i < 3; i++) {
        await assert.rejects(storage.service.deleteObjects(['k']), StorageUnavailableError);
      }
      assert.equal(storage.policy.circuitState, 'open');
      assert.equal(fake.seen.length, 3);
      const err = await storage.service.headObject('k').catch((e: unknown) => e);
      assert.ok(err instanceof StorageUnavailableError);
      assert.ok((err.retryAfterSeconds ?? 0) >= 59, 'Retry-After points at the half-open time');
      assert.equal(fake.seen.length, 3, 'no request while open');
    } finally {
      fake.script.length = 0;
      storage.close();
    }
  });

  it('a 403 answer surfaces as a rejected request and never opens the breaker', async () => {
    fake.script.push(...Array<number>(6).fill(403));
    const storage = createStorage(settings(endpoint, 1), { consecutiveFailures: 3 });
    try {
      for (let i = 0; i < 6; i++) {
        const err = await storage.service.headBucket().catch((e: unknown) => e);
        assert.ok(err instanceof Error && err.name === 'StorageRequestRejectedError');
      }
      assert.equal(storage.policy.circuitState, 'closed');
    } finally {
      storage.close();
    }
  });
});
