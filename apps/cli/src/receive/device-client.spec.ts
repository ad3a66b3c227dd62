import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DeviceClient, renewDelay } from './device-client.ts';

describe('renewDelay', () => {
  it('renews a minute before a long-lived token expires', () => {
    assert.equal(renewDelay(900_000, 0), 840_000);
  });
  it('renews a short-lived one at three quarters of what is left', () => {
    assert.equal(renewDelay(40_000, 0), 30_000);
    assert.equal(renewDelay(10_000, 2_000), 6_000);
  });
  it('renews at once a token already expired', () => {
    assert.equal(renewDelay(0, 5_000), 0);
  });
});

describe('DeviceClient', () => {
  let server: Server;
  let base: string;
  const renewedWith: string[] = [];
  let issued = 0;

  before(async () => {
    server = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/v1/devices/token') {
        renewedWith.push(req.headers.authorization ?? '');
        issued++;
        const body = {
          accessToken: `t${issued}`,
          tokenType: 'Bearer',
          expiresAt: new Date(Date.now() + 8_000).toISOString(),
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ auth: req.headers.authorization }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('renews its token before it expires and uses the new one', async () => {
    const client = new DeviceClient(base, {
      accessToken: 't0',
      tokenType: 'Bearer',
      expiresAt: new Date(Date.now() + 3_000).toISOString(),
    });
    client.startRenewing(() => assert.fail('renewal reported an error'));
    try {
      // 3 s left: renewed after about 2.25 s, with the old token.
      await new Promise((resolve) => setTimeout(resolve, 2_600));
      assert.deepEqual(renewedWith, ['Bearer t0']);
      assert.equal(client.token(), 't1');
      const seen = await client.request<{ auth: string }>('GET', '/v1/sessions/s');
      assert.equal(seen.auth, 'Bearer t1');
    } finally {
      client.stop();
    }
  });
});
