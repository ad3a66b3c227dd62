import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:net';
import {
  canListen,
  closeServer,
  listenOnFreePort,
  withFreePorts,
} from '../../../../test/support/ports.js';
import { startDevstack } from './devstack-runner.js';
import { LaunchError } from './launch-plan.js';

describe('startDevstack ports', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sx-runner-'));
  let blocker: Server;
  let taken = 0;

  before(async () => {
    ({ server: blocker, port: taken } = await listenOnFreePort());
  });
  after(async () => {
    await closeServer(blocker);
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
    // MongoDB must be told a number that is free (it starts, then S3 fails on the taken one):
    // should another process take it first, that is a MongoDB clash, and we try another.
    const mongoPort = await withFreePorts(
      1,
      async ([port = 0]) => {
        await assert.rejects(
          startDevstack(
            {
              dataDir,
              mongoPort: { port, explicit: true },
              s3Port: { port: taken, explicit: true },
            },
            'us-east-1',
          ),
          (err: unknown) => {
            if (err instanceof LaunchError && err.message.startsWith('DEVSTACK_MONGO_PORT')) {
              throw err;
            }
            return (
              err instanceof LaunchError &&
              err.message === `DEVSTACK_S3_PORT: port ${String(taken)} is already in use`
            );
          },
        );
        return port;
      },
      {
        isClash: (err) =>
          err instanceof LaunchError && err.message.startsWith('DEVSTACK_MONGO_PORT'),
      },
    );
    // The MongoDB server that had already started was stopped again: its port is free.
    assert.equal(await canListen(mongoPort), true);
  });
});

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('startDevstack S3 bind address', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sx-runner-host-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const plan = (s3Host?: string) => ({
    dataDir,
    mongoPort: { port: 0, explicit: true },
    s3Port: { port: 0, explicit: true },
    s3Host,
  });

  it('binds S3 to loopback by default', async () => {
    const devstack = await startDevstack(plan(), 'us-east-1');
    try {
      assert.equal(devstack.s3Host, '127.0.0.1');
      assert.equal(await accepts('127.0.0.1', devstack.s3.port), true);
    } finally {
      await devstack.stop();
    }
  });

  it('binds S3 to the address it is given, and to no other', async (t) => {
    // Linux routes all of 127.0.0.0/8 to loopback; elsewhere 127.0.0.2 may not exist.
    if (!(await canBind('127.0.0.2'))) return t.skip('127.0.0.2 is not a local address here');
    const devstack = await startDevstack(plan('127.0.0.2'), 'us-east-1');
    try {
      assert.equal(await accepts('127.0.0.2', devstack.s3.port), true);
      assert.equal(await accepts('127.0.0.1', devstack.s3.port), false);
      // It answers as S3 there (an unsigned request is refused with S3's own error).
      const res = await fetch(`http://127.0.0.2:${String(devstack.s3.port)}/sharexpress`);
      assert.equal(res.status, 403);
    } finally {
      await devstack.stop();
    }
  });
});

async function canBind(host: string): Promise<boolean> {
  try {
    const { server } = await listenOnFreePort(undefined, host);
    await closeServer(server);
    return true;
  } catch {
    return false;
  }
}
