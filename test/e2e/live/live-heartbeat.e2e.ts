// An open stream costs no rate-limit write per heartbeat: the throttler counts the connect once,
// and the heartbeats (and events) written afterwards never touch the rate_limits collection.
// Seen from the database side, through a tap in front of MongoDB.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { targetOf } from '../../support/fault-proxy.js';
import { startMongoTap, type MongoTap } from '../../support/mongo-tap.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { ownerWithSession } from './live-fixtures.js';
import { openStream } from './sse-client.js';

const RATE_LIMITS = 'rate_limits';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live: heartbeats', () => {
  let backends: TestBackends;
  let tap: MongoTap;
  let t: TestApp;

  before(async () => {
    backends = await startTestBackends();
    tap = await startMongoTap(targetOf(backends.mongoUri));
    t = await startTestApp({
      backends,
      env: {
        MONGODB_URI: tap.uri(`sx_live_${randomSuffix()}`),
        SSE_HEARTBEAT_SECONDS: '1',
        // Under 16 per window the shared limit counts every request in MongoDB (no claimed
        // shares), so the connect itself is a rate-limit write the tap can see.
        RATE_LIMIT_MAX: '15',
      },
    });
  });
  after(async () => {
    await t?.close();
    await tap?.close();
    await backends?.stop();
  });

  const rateLimitCommands = (since: number) =>
    tap.commands.filter((c) => c.at >= since && c.collection === RATE_LIMITS);

  it('sends a heartbeat every SSE_HEARTBEAT_SECONDS and writes no rate-limit record for any of them', async () => {
    const { owner, session } = await ownerWithSession(t.baseUrl);
    const connecting = Date.now();
    const stream = await openStream(t.baseUrl, session.id, { token: owner.token });
    try {
      await stream.next();
      // The connect itself went through the throttler: the tap does see rate-limit writes.
      const atConnect = rateLimitCommands(connecting);
      assert.ok(atConnect.length >= 1, 'the connect is counted by the rate limiter');
      const open = Date.now();
      await sleep(4500);
      const beats = stream.comments.filter((c) => c.text === 'heartbeat' && c.at >= open);
      assert.ok(beats.length >= 3 && beats.length <= 5, `${String(beats.length)} heartbeats`);
      for (let i = 1; i < beats.length; i += 1) {
        const gap = (beats[i]?.at ?? 0) - (beats[i - 1]?.at ?? 0);
        assert.ok(gap > 700 && gap < 1500, `heartbeat gap ${String(gap)} ms`);
      }
      assert.deepEqual(
        rateLimitCommands(open).map((c) => c.command),
        [],
        'no command on rate_limits while the stream only beats',
      );
    } finally {
      stream.close();
    }
  });
});
