// The worker's job leases: one holder per job at a time, a fence that grows on every takeover,
// and a former holder that can no longer renew, release or record anything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newPublicId } from '@app/common';
import { JobLeaseRepository } from '../src/leases/job-lease.repository.js';
import { LeaseDatabaseModule } from '../src/leases/lease-database.module.js';
import { startDatabaseFixture, type DatabaseFixture } from './database-fixture.js';
import type { StoredDoc } from './session-repositories.js';

const ttl = 30_000;
const at = (base: Date, ms: number): Date => new Date(base.getTime() + ms);

describe('JobLeaseRepository against MongoDB', () => {
  let fixture: DatabaseFixture;
  let leases: JobLeaseRepository;
  // Each test races on a job of its own, so they stand alone in any order.
  const job = (): string => `job-${newPublicId()}`;
  const stored = (name: string) =>
    fixture.connection.collection<StoredDoc>('leases').findOne({ _id: name });

  before(async () => {
    fixture = await startDatabaseFixture('leases', [LeaseDatabaseModule]);
    leases = fixture.moduleRef.get(JobLeaseRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('gives the first acquisition fence 1 and refuses a second owner while it is held', async () => {
    const name = job();
    const now = new Date();
    const first = await leases.acquire(name, 'worker-a', now, ttl);
    assert.deepEqual(first, { job: name, owner: 'worker-a', fence: 1, until: at(now, ttl) });

    assert.equal(await leases.acquire(name, 'worker-b', at(now, ttl - 1), ttl), null);
    assert.equal(await leases.acquire(name, 'worker-a', at(now, 1), ttl), null, 'held is held');
    assert.deepEqual(await stored(name), {
      _id: name,
      owner: 'worker-a',
      fence: 1,
      until: at(now, ttl),
      lastCompletedAt: null,
    });
  });

  it('renews a held lease, and not one that has expired', async () => {
    const name = job();
    const now = new Date();
    const lease = await leases.acquire(name, 'worker-a', now, ttl);
    assert.ok(lease);
    const renewed = await leases.renew(lease, at(now, ttl - 1), ttl);
    assert.deepEqual(renewed, { ...lease, until: at(now, 2 * ttl - 1) });
    // Still refused to others until the renewed end.
    assert.equal(await leases.acquire(name, 'worker-b', at(now, ttl + 1), ttl), null);

    // Expired (nobody took it yet): lost all the same, the holder must stop.
    assert.equal(await leases.renew(renewed, at(now, 2 * ttl - 1), ttl), null);
    assert.deepEqual((await stored(name))?.until, at(now, 2 * ttl - 1));
  });

  it('hands an expired lease to another owner with fence 2, and fences the old holder off', async () => {
    const name = job();
    const now = new Date();
    const old = await leases.acquire(name, 'worker-a', now, ttl);
    assert.ok(old);
    const takeoverAt = at(now, ttl);
    const taken = await leases.acquire(name, 'worker-b', takeoverAt, ttl);
    assert.deepEqual(taken, {
      job: name,
      owner: 'worker-b',
      fence: 2,
      until: at(takeoverAt, ttl),
    });

    // The old holder wakes up (a paused process): with its own clock still inside its lease,
    // nothing it does touches the new holder's lease.
    assert.equal(await leases.renew(old, at(now, 1), ttl), null);
    await leases.release(old, at(now, 1), true);
    assert.deepEqual(await stored(name), {
      _id: name,
      owner: 'worker-b',
      fence: 2,
      until: at(takeoverAt, ttl),
      lastCompletedAt: null,
    });
    // Even under the same owner name, a stale fence is refused.
    assert.equal(await leases.renew({ ...old, owner: 'worker-b' }, takeoverAt, ttl), null);
    assert.ok(await leases.renew(taken, takeoverAt, ttl));
  });

  it('lets another owner acquire at once after a release, and records a completed run', async () => {
    const name = job();
    const now = new Date();
    const lease = await leases.acquire(name, 'worker-a', now, ttl);
    assert.ok(lease);
    const doneAt = at(now, 1000);
    await leases.release(lease, doneAt, true);
    assert.deepEqual(await stored(name), {
      _id: name,
      owner: 'worker-a',
      fence: 1,
      until: doneAt,
      lastCompletedAt: doneAt,
    });
    // A late second release never moves the end of a released lease later.
    await leases.release(lease, at(now, 2000), false);
    assert.deepEqual((await stored(name))?.until, doneAt);

    const next = await leases.acquire(name, 'worker-b', doneAt, ttl);
    assert.deepEqual(next, { job: name, owner: 'worker-b', fence: 2, until: at(doneAt, ttl) });
    // A run that failed frees the lease but keeps the last completion.
    await leases.release(next, at(doneAt, 10), false);
    assert.deepEqual(await stored(name), {
      _id: name,
      owner: 'worker-b',
      fence: 2,
      until: at(doneAt, 10),
      lastCompletedAt: doneAt,
    });
    const third = await leases.acquire(name, 'worker-a', at(doneAt, 10), ttl);
    assert.equal(third?.fence, 3);
  });

  it('records the completion of an expired lease nobody took, without moving its end later', async () => {
    const name = job();
    const now = new Date();
    const lease = await leases.acquire(name, 'worker-a', now, ttl);
    assert.ok(lease);
    const late = at(now, ttl + 5000);
    await leases.release(lease, late, true);
    const doc = await stored(name);
    assert.deepEqual(doc?.until, at(now, ttl));
    assert.deepEqual(doc?.lastCompletedAt, late);
  });

  it('lets exactly one of many concurrent acquisitions win, for a new and for a freed job', async () => {
    const name = job();
    const now = new Date();
    const owners = Array.from({ length: 10 }, (_, i) => `worker-${String(i)}`);
    const first = await Promise.all(owners.map((o) => leases.acquire(name, o, now, ttl)));
    const winners = first.filter((l) => l !== null);
    assert.equal(winners.length, 1);
    assert.equal(winners[0]?.fence, 1);
    assert.equal((await stored(name))?.owner, winners[0]?.owner);

    const expiry = at(now, ttl);
    const second = await Promise.all(owners.map((o) => leases.acquire(name, o, expiry, ttl)));
    const takeovers = second.filter((l) => l !== null);
    assert.equal(takeovers.length, 1);
    assert.equal(takeovers[0]?.fence, 2);
    assert.equal((await stored(name))?.fence, 2);
  });

  it('lists every job’s lease with its last completion, and never reads a smuggled query', async () => {
    const names = [job(), job()].sort();
    const now = new Date();
    const a = await leases.acquire(names[0], 'worker-a', now, ttl);
    await leases.acquire(names[1], 'worker-b', now, ttl);
    await leases.release(a!, now, true);
    const listed = (await leases.list()).filter((l) => names.includes(l.job));
    assert.deepEqual(listed, [
      { job: names[0], owner: 'worker-a', fence: 1, until: now, lastCompletedAt: now },
      { job: names[1], owner: 'worker-b', fence: 1, until: at(now, ttl), lastCompletedAt: null },
    ]);

    // Operator objects in place of strings are coerced to (unmatched) strings.
    const smuggled = { $ne: null } as unknown as string;
    const forged = { job: names[1], owner: smuggled, fence: 1, until: now };
    assert.equal(await leases.renew(forged, now, ttl), null);
    await leases.release(forged, now, true);
    assert.equal((await stored(names[1]))?.lastCompletedAt, null);
    await leases.acquire(smuggled, 'worker-c', now, ttl);
    assert.equal((await stored(names[1]))?.owner, 'worker-b');
  });
});
