import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAuthRepositories, type AuthRepositoriesFixture } from './auth-repositories.js';
import { RateLimitRepository } from '../src/rate-limits/rate-limit.repository.js';

describe('RateLimitRepository against MongoDB', () => {
  let fixture: AuthRepositoriesFixture;
  let limits: RateLimitRepository;

  before(async () => {
    fixture = await startAuthRepositories();
    limits = fixture.moduleRef.get(RateLimitRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('counts every concurrent hit exactly once, including the first insert race', async () => {
    const now = new Date();
    const counters = await Promise.all(
      Array.from({ length: 40 }, () => limits.hit('concurrent', 60_000, now)),
    );
    const seen = counters.map((c) => c.hits).sort((x, y) => x - y);
    assert.deepEqual(
      seen,
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  });

  it('restarts the window once it has ended, once for all concurrent callers', async () => {
    // The repository goes by the callers' clock, the TTL index by the server's. With real times
    // a loaded machine let the calls run past the restarted window's end, a TTL sweep removed the
    // record mid-test and a late caller started another window at 1. An hour ahead, the first
    // window has ended for the callers, and neither record can expire however slow the calls are.
    const start = new Date(Date.now() + 3_600_000);
    assert.equal((await limits.hit('window', 100, start)).hits, 1);
    assert.equal((await limits.hit('window', 100, start)).hits, 2);
    const later = new Date(start.getTime() + 150);
    const counters = await Promise.all(
      Array.from({ length: 10 }, () => limits.hit('window', 100, later)),
    );
    assert.deepEqual(
      counters.map((c) => c.hits).sort((x, y) => x - y),
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    assert.ok(counters.every((c) => c.windowEndsAt.getTime() === later.getTime() + 100));
  });

  it('counts concurrent claims of several hits each exactly, in one step each', async () => {
    // What a replica's reservation does: 20 claims of 7 from "different replicas" at once.
    const now = new Date();
    const counters = await Promise.all(
      Array.from({ length: 20 }, () => limits.hit('claims', 60_000, now, 7)),
    );
    // Each claim sees the total after its own $inc: 7, 14, ... 140, every one once.
    assert.deepEqual(
      counters.map((c) => c.hits).sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => (i + 1) * 7),
    );
    assert.equal((await limits.hit('claims', 60_000, now)).hits, 141);
  });

  it('starts and restarts a window with the claimed count', async () => {
    // An hour ahead, for the same reason as the restart test above.
    const start = new Date(Date.now() + 3_600_000);
    assert.equal((await limits.hit('claim-window', 100, start, 5)).hits, 5, 'insert with 5');
    assert.equal((await limits.hit('claim-window', 100, start, 3)).hits, 8);
    const later = new Date(start.getTime() + 150);
    const restarted = await limits.hit('claim-window', 100, later, 4);
    assert.equal(restarted.hits, 4, 'the new window begins at the claim, not at 1 or 12');
    assert.equal(restarted.windowEndsAt.getTime(), later.getTime() + 100);
  });

  it('refuses a count that is not a positive integer', async () => {
    for (const count of [0, -3, 1.5, Number.NaN]) {
      await assert.rejects(limits.hit('bad-count', 60_000, new Date(), count), RangeError);
    }
    assert.equal((await limits.hit('bad-count', 60_000, new Date())).hits, 1, 'nothing counted');
  });

  it('keeps separate keys separate', async () => {
    const now = new Date();
    await limits.hit('a-key', 60_000, now);
    assert.equal((await limits.hit('b-key', 60_000, now)).hits, 1);
  });

  it('blocks until a time and keeps the longer block already running', async () => {
    const now = new Date();
    await limits.hit('blocked', 60_000, now);
    const until = new Date(now.getTime() + 5_000);
    assert.equal((await limits.block('blocked', until, now)).getTime(), until.getTime());
    const shorter = new Date(now.getTime() + 1_000);
    assert.equal((await limits.block('blocked', shorter, now)).getTime(), until.getTime());
    assert.equal(
      (await limits.hit('blocked', 60_000, now)).blockedUntil?.getTime(),
      until.getTime(),
    );
  });

  it('treats a key as a plain string, never as a query', async () => {
    const key = { $ne: null } as unknown as string;
    assert.equal((await limits.hit(key, 60_000, new Date())).hits, 1);
    assert.equal((await limits.hit('[object Object]', 60_000, new Date())).hits, 2);
  });
});
