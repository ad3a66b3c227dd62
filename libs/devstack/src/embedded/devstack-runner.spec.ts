import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevstack } from './devstack-runner.js';
import { LaunchError } from './launch-plan.js';

/** Binds `port` (0: any free one), releases it and returns the number. */
async function freePort(port = 0): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

describe('startDevstack ports', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sx-runner-'));
  let blocker: Server;
  let taken = 0;

  before(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    taken = address.port;
  });
  after(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('falls back to a free port when a default port is taken, and says so', async () => {
    const devstack = await startDevstack(
      {
        dataDir,
        mongoPort: { port: taken, explicit: false },
        s3Port: { port: taken, explicit: false },
      },
      'us-east-1',
    );
    try {
      assert.notEqual(devstack.mongo.port, taken);
      assert.notEqual(devstack.s3.port, taken);
      assert.equal(devstack.fallbacks.length, 2);
      assert.match(devstack.fallbacks[0] ?? '', new RegExp(`port ${String(taken)} was taken`));
    } finally {
      await devstack.stop();
    }
  });

  it('refuses a taken port the operator asked for, and leaves nothing running', async () => {
    const mongoPort = await freePort();
    await assert.rejects(
      startDevstack(
        {
          dataDir,
          mongoPort: { port: mongoPort, explicit: true },
          s3Port: { port: taken, explicit: true },
        },
        'us-east-1',
      ),
      (err: unknown) =>
        err instanceof LaunchError &&
        err.message === `DEVSTACK_S3_PORT: port ${String(taken)} is already in use`,
    );
    // The MongoDB server that had already started was stopped again: its port is free.
    assert.equal(await freePort(mongoPort), mongoPort);
  });
});
