// readObjectSha256 against a scripted S3 stand-in: a slow read that keeps making progress
// outlives the call deadline, a stalled or truncated one fails as an outage, and nothing is
// read while the breaker is open.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { StorageUnavailableError } from '../src/errors/storage-errors.js';
import { createStorage, type Storage } from '../src/storage.factory.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const CHUNK = Buffer.alloc(1024, 7);
const CALL_TIMEOUT_MS = 300;

function settings(endpoint: string) {
  return {
    endpoint,
    publicEndpoint: endpoint,
    region: 'us-east-1',
    bucket: 'scripted',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    forcePathStyle: true,
    connectTimeoutMs: 500,
    requestTimeoutMs: 5000,
    maxAttempts: 1,
    breakerFailures: 5,
    breakerHalfOpenMs: 60_000,
  };
}

describe('readObjectSha256 over a slow, stalling or failing storage', () => {
  let handler: Handler = (_req, res) => {
    res.end();
  };
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.resume();
    void Promise.resolve(handler(req, res)).catch(() => res.destroy());
  });
  let endpoint = '';
  let storage: Storage;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const fresh = (overrides = {}) => {
    storage?.close();
    seen.length = 0;
    storage = createStorage(settings(endpoint), {
      callTimeoutMs: CALL_TIMEOUT_MS,
      ...overrides,
    });
    return storage;
  };
  after(() => storage?.close());

  it('a read that keeps making progress runs past the call deadline', async () => {
    const chunks = 15;
    handler = async (_req, res) => {
      res.writeHead(200, { 'content-length': chunks * CHUNK.length, etag: '"x"' });
      for (let i = 0; i < chunks; i++) {
        res.write(CHUNK);
        await sleep(100);
      }
      res.end();
    };
    const s = fresh();
    const started = Date.now();
    const result = await s.service.readObjectSha256('slow', { idleTimeoutMs: 1500 });
    assert.ok(Date.now() - started > 3 * CALL_TIMEOUT_MS, 'took longer than the deadline');
    const expected = createHash('sha256');
    for (let i = 0; i < chunks; i++) expected.update(CHUNK);
    assert.deepEqual(result, { sha256Hex: expected.digest('hex'), size: chunks * CHUNK.length });
    assert.equal(s.policy.circuitState, 'closed');
  });

  it('a stalled read fails as unavailable once no byte came for idleTimeoutMs', async () => {
    let closed = false;
    handler = (req, res) => {
      res.writeHead(200, { 'content-length': 10 * CHUNK.length });
      res.write(CHUNK);
      req.socket.on('close', () => (closed = true));
      // ...and never another byte.
    };
    const s = fresh();
    const started = Date.now();
    await assert.rejects(
      s.service.readObjectSha256('stalled', { idleTimeoutMs: 300 }),
      StorageUnavailableError,
    );
    const took = Date.now() - started;
    assert.ok(took >= 300 && took < 2000, `failed after ${took} ms`);
    await sleep(50);
    assert.ok(closed, 'the connection was closed, not left hanging');
  });

  it('a body cut short of its Content-Length fails as unavailable', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': 4 * CHUNK.length });
      res.write(CHUNK, () => res.socket?.end());
    };
    const s = fresh();
    await assert.rejects(s.service.readObjectSha256('short'), StorageUnavailableError);
  });

  it('a missing object is null', async () => {
    handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>');
    };
    assert.equal(await fresh().service.readObjectSha256('gone'), null);
  });

  it('while the breaker is open it fails at once without calling storage', async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/xml' });
      res.end('<Error><Code>InternalError</Code><Message>boom</Message></Error>');
    };
    const s = fresh({ consecutiveFailures: 2 });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(s.service.readObjectSha256('k'), StorageUnavailableError);
    }
    assert.equal(s.policy.circuitState, 'open');
    const calls = seen.length;
    const started = Date.now();
    const err = await s.service.readObjectSha256('k').catch((e: unknown) => e);
    assert.ok(err instanceof StorageUnavailableError);
    assert.ok((err.retryAfterSeconds ?? 0) >= 59, 'Retry-After points at the half-open time');
    assert.ok(Date.now() - started < 50);
    assert.equal(seen.length, calls, 'no request while open');
  });

  it('stalls count against the breaker like any other outage', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': 10 * CHUNK.length });
      res.write(CHUNK);
    };
    const s = fresh({ consecutiveFailures: 2 });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        s.service.readObjectSha256('k', { idleTimeoutMs: 100 }),
        StorageUnavailableError,
      );
    }
    assert.equal(s.policy.circuitState, 'open');
  });
});
