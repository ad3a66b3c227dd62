import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { StorageUnavailableError } from './errors/storage-errors.js';
import { createStorage, defaultPolicyOptions } from './storage.factory.js';
import type { S3Settings } from './s3-client.factory.js';

const settings = (overrides: Partial<S3Settings> = {}): S3Settings => ({
  endpoint: 'http://127.0.0.1:9000',
  publicEndpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  bucket: 'b',
  credentials: { accessKeyId: 'a', secretAccessKey: 's' },
  forcePathStyle: true,
  connectTimeoutMs: 3000,
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
  breakerFailures: 5,
  breakerHalfOpenMs: 5000,
  ...overrides,
});

describe('default call deadline', () => {
  it('never cuts off an SDK attempt still inside its own timeouts, nor waits past 15 s', () => {
    for (const connectTimeoutMs of [1, 500, 3000, 20_000]) {
      for (const requestTimeoutMs of [1, 1000, 2000, 10_000]) {
        for (const maxAttempts of [1, 2, 3, 10]) {
          const s3 = settings({ connectTimeoutMs, requestTimeoutMs, maxAttempts });
          const { callTimeoutMs } = defaultPolicyOptions(s3);
          const attemptsNeed = connectTimeoutMs + requestTimeoutMs * maxAttempts;
          const label = JSON.stringify({ connectTimeoutMs, requestTimeoutMs, maxAttempts });
          assert.ok(callTimeoutMs <= 15_000, label);
          // Room for every attempt (and backoff between them) whenever the cap allows it.
          assert.ok(callTimeoutMs >= Math.min(attemptsNeed + 1, 15_000), label);
        }
      }
    }
  });
});

describe('createStorage', () => {
  // A storage that accepts connections and drops them at once: every call is an
  // infrastructure failure, with no timeouts to wait for.
  let dropper: Server;
  let endpoint = '';
  before(async () => {
    dropper = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const address = dropper.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    endpoint = `http://127.0.0.1:${String(address.port)}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => dropper.close(() => resolve()));
  });

  const failures = async (storage: ReturnType<typeof createStorage>, n: number) => {
    for (let i = 0; i < n; i++) {
      await assert.rejects(storage.service.headBucket(), StorageUnavailableError);
    }
  };

  it('opens the circuit after the default five consecutive failures', async () => {
    const storage = createStorage(settings({ endpoint, maxAttempts: 1 }));
    try {
      await failures(storage, 4);
      assert.equal(storage.policy.circuitState, 'closed');
      await failures(storage, 1);
      assert.equal(storage.policy.circuitState, 'open');
      // Open: refused at once with a Retry-After of the default five seconds.
      const refused = await storage.service.headBucket().catch((e: unknown) => e);
      assert.ok(refused instanceof StorageUnavailableError);
      assert.equal(refused.retryAfterSeconds, 5);
    } finally {
      storage.close();
    }
  });

  it('lets explicit policy options win over the defaults', async () => {
    const storage = createStorage(settings({ endpoint, maxAttempts: 1 }), {
      consecutiveFailures: 2,
      halfOpenAfterMs: 60_000,
    });
    try {
      await failures(storage, 2);
      assert.equal(storage.policy.circuitState, 'open');
      assert.equal(storage.policy.retryAfterSeconds(), 60);
    } finally {
      storage.close();
    }
  });

  it('signs presigned URLs for the public endpoint, not the one the server talks to', () => {
    const storage = createStorage(
      settings({ endpoint, publicEndpoint: 'https://files.example.com' }),
    );
    try {
      const get = storage.presigner.presignGet({ key: 'a/b.txt', expiresInSeconds: 60 });
      assert.match(get.url, /^https:\/\/files\.example\.com\/b\/a\/b\.txt\?/);
    } finally {
      storage.close();
    }
  });
});
