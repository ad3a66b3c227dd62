// A storage that accepts TCP connections and never answers must not hang the API: with a short
// S3_REQUEST_TIMEOUT_MS the call is cut off and /health/ready answers 503 within its bound.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { indicatorStatus, probe } from '../../support/probe.js';

describe('hung storage', () => {
  let backends: TestBackends;
  let api: TestApp;
  let hung: Server;
  const sockets = new Set<Socket>();
  let accepted = 0;

  before(async () => {
    backends = await startTestBackends();
    hung = createServer((socket) => {
      // Read and discard everything, answer nothing, never close.
      accepted++;
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const address = hung.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    api = await startTestApp({
      backends,
      env: {
        S3_ENDPOINT: `http://127.0.0.1:${String(address.port)}`,
        S3_REQUEST_TIMEOUT_MS: '300',
        S3_MAX_ATTEMPTS: '1',
      },
    });
  });

  after(async () => {
    await api?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (hung ? hung.close(() => resolve()) : resolve()));
    await backends?.stop();
  });

  it('answers /health/ready 503 with storage down within the bound, then stays fast', async () => {
    for (let i = 0; i < 3; i++) {
      const ready = await probe(`${api.baseUrl}/health/ready`, 10_000);
      assert.equal(ready.status, 503, JSON.stringify(ready.body));
      assert.equal(indicatorStatus(ready.body, 'storage'), 'down');
      assert.equal(indicatorStatus(ready.body, 'mongo'), 'up');
      // The storage probe gives up after 1.5 s and /health/ready never waits past 2.5 s.
      assert.ok(ready.elapsedMs < 3_000, `readiness took ${ready.elapsedMs.toFixed(0)} ms`);
    }
    // The requests really reached the hung server (the timeout, not a refused connection, ended them).
    assert.ok(accepted >= 1, 'the API never connected to the hung storage');
  });
});
