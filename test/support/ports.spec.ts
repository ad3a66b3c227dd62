import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { canListen, closeServer, listenOnFreePort, withFreePorts } from './ports.js';

describe('test ports', () => {
  it('hands over a listening server on a port nobody else can take meanwhile', async () => {
    const { server, port } = await listenOnFreePort();
    try {
      assert.equal(await canListen(port), false);
    } finally {
      await closeServer(server);
    }
    assert.equal(await canListen(port), true);
  });

  it('retries with fresh ports when one was taken in between, and only then', async () => {
    const seen: number[][] = [];
    const result = await withFreePorts(2, async (ports) => {
      seen.push(ports);
      if (seen.length === 1) {
        // Someone else binds our first port before the child gets to it.
        const thief = createServer();
        await new Promise<void>((resolve) => thief.listen(ports[0], '127.0.0.1', resolve));
        const err = await new Promise<Error>((resolve) => {
          const child = createServer();
          child.once('error', resolve);
          child.listen(ports[0], '127.0.0.1');
        });
        await closeServer(thief);
        throw err;
      }
      return 'started';
    });
    assert.equal(result, 'started');
    assert.equal(seen.length, 2);
    assert.equal(new Set(seen[0]).size, 2, 'distinct ports');

    let calls = 0;
    await assert.rejects(
      withFreePorts(1, () => {
        calls++;
        return Promise.reject(new Error('bad config'));
      }),
      /bad config/,
    );
    assert.equal(calls, 1, 'other failures are not retried');
  });
});
