// The per-client rate limit across replicas without a MongoDB round trip per request (issue 18):
// each replica claims a share of the client's budget in one $inc and admits from it locally.
// With two replicas and a limit of N per window, 3N requests split across them let at most N
// through (over-admission bound 0), and a replica that keeps a share its client no longer uses
// strands at most ceil(N / 8) of it. Seen from the database side through a tap: the rate_limits
// collection gets a small fraction of one command per request.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { targetOf } from '../../support/fault-proxy.js';
import { startMongoTap, type MongoTap } from '../../support/mongo-tap.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';

const N = 400;
const IN_FLIGHT = 8;
const RATE_LIMITS = 'rate_limits';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  status: number;
  retryAfter: number;
}

/**
 * Sends request i of `count` to `targetOf(i)`, IN_FLIGHT at a time; every refusal is checked to
 * be 429 RATE_LIMITED with a Retry-After within the block.
 */
async function burst(
  count: number,
  targetOf: (i: number) => TestApp,
  maxRetryAfter: number,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${targetOf(i).baseUrl}/.well-known/jwks.json`);
      const retryAfter = Number(res.headers.get('retry-after') ?? 0);
      if (res.status === 200) {
        await res.body?.cancel();
      } else {
        await expectProblem(res, 429, 'RATE_LIMITED');
        assert.ok(
          retryAfter >= 1 && retryAfter <= maxRetryAfter,
          `Retry-After ${String(retryAfter)}`,
        );
      }
      outcomes.push({ status: res.status, retryAfter });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return outcomes;
}

const passed = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 200).length;

describe('rate limit: two replicas share one budget in reserved shares', () => {
  let backends: TestBackends;
  let tap: MongoTap;

  before(async () => {
    backends = await startTestBackends();
    tap = await startMongoTap(targetOf(backends.mongoUri));
  });
  after(async () => {
    await tap?.close();
    await backends?.stop();
  });

  /** Two API replicas on one database of their own, behind the tap: a fresh budget each test. */
  async function replicas(t: TestContext, limit: number, windowSeconds: number) {
    const env = {
      MONGODB_URI: tap.uri(`sx_bound_${randomSuffix()}`),
      RATE_LIMIT_MAX: String(limit),
      RATE_LIMIT_WINDOW_SECONDS: String(windowSeconds),
    };
    const apps = await Promise.all([
      startTestApp({ backends, env }),
      startTestApp({ backends, env }),
    ]);
    t.after(() => Promise.all(apps.map((app) => app.close())));
    return apps;
  }

  const rateLimitCommands = (since: number) =>
    tap.commands.filter((c) => c.at >= since && c.collection === RATE_LIMITS).length;

  it('lets exactly N of 3N requests split across two replicas through, with few round trips', async (t) => {
    const [a, b] = await replicas(t, N, 60);
    const start = Date.now();
    const outcomes = await burst(3 * N, (i) => (i % 2 === 0 ? a : b), 60);
    const commands = rateLimitCommands(start);
    t.diagnostic(
      `passed ${String(passed(outcomes))} of ${String(3 * N)}; ${String(commands)} rate_limits commands`,
    );
    // The bound: never more than N, whatever the interleaving.
    assert.ok(passed(outcomes) <= N, `${String(passed(outcomes))} passed, over the limit`);
    // And nothing stranded: both replicas get requests to the end, so each uses up every share
    // it claimed before it claims again and learns of the block.
    assert.equal(passed(outcomes), N);
    assert.deepEqual(
      outcomes.filter((o) => o.status !== 200 && o.status !== 429),
      [],
      'only 200 or 429',
    );
    // One command per request would be 3N (1200); a claim is one command for up to an eighth of
    // what is left (1, 2, 4... first), a block one or two.
    assert.ok(commands > 0, 'the limit is shared through MongoDB');
    assert.ok(
      commands < N / 4,
      `${String(commands)} commands on rate_limits for ${String(3 * N)} requests`,
    );
  });

  it('strands no more than it served (plus one) on a replica that its client stops reaching', async (t) => {
    const [a, b] = await replicas(t, N, 60);
    // B serves 8 requests from claims of 1, 2, 4 and 8 (15); the rest go to A.
    const onB = await burst(8, () => b, 60);
    const onA = await burst(2 * N, () => a, 60);
    const total = passed(onB) + passed(onA);
    t.diagnostic(`passed ${String(total)} with a limit of ${String(N)} (B kept 7 unused)`);
    assert.equal(passed(onB), 8);
    assert.ok(total <= N);
    assert.ok(total >= N - Math.min(Math.ceil(N / 8), passed(onB) + 1));
    assert.equal(total, N - 7, "exactly B's unused share is out of reach");
  });

  it('does not carry a share over into the next window', async (t) => {
    const limit = 40;
    const windowSeconds = 4;
    const [a, b] = await replicas(t, limit, windowSeconds);
    // Window 1: B claims 1 and then 2 and serves 2, keeping 1; A spends the rest and is blocked.
    const windowStart = Date.now();
    assert.equal(passed(await burst(2, () => b, windowSeconds)), 2);
    const onA = await burst(3 * limit, () => a, windowSeconds);
    assert.ok(
      Date.now() - windowStart < windowSeconds * 1000,
      'window 1 ran out before the burst ended: the machine is too slow for this test',
    );
    assert.equal(passed(onA), limit - 3);
    // The block (blockDuration = the window) began after the window did: it ends last.
    const retryAfter = Math.max(...onA.map((o) => o.retryAfter));
    await sleep(retryAfter * 1000 + 250);
    // Window 2: requests pass again, and B's 1 left from window 1 is not among them.
    const onB = await burst(3 * limit, () => b, windowSeconds);
    assert.equal(passed(onB), limit, 'a fresh budget of exactly the limit');
  });
});
