// The worker's job leases: one holder per job at a time, a fence that grows on every takeover, a
// former holder that can no longer renew, release or record anything, and a completed run that
// keeps the job not due for the gap after its start, so replicas run it once per interval.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newPublicId } from '@app/common';
import {
  JobLeaseRepository,
  type JobLease,
  type LeaseAcquisition,
} from '../src/leases/job-lease.repository.js';
import { LeaseDatabaseModule } from '../src/leases/lease-database.module.js';
import { startDatabaseFixture, type DatabaseFixture } from './database-fixture.js';
import type { StoredDoc } from './session-repositories.js';

const ttl = 30_000;
const gap = 60_000;
const terms = { ttlMs: ttl, gapMs: gap };
const at = (base: Date, ms: number): Date => new Date(base.getTime() + ms);

/** The lease an acquisition handed over; fails the test when it was refused. */
function taken(result: LeaseAcquisition): JobLease {
  assert.ok(result.lease !== null, `refused: ${result.lease === null ? result.refused : ''}`);
  return result.lease;
}

describe('JobLeaseRepository against MongoDB', () => {
  let fixture: DatabaseFixture;
  let leases: JobLeaseRepository;
  // Each test races on a job of its own, so they stand alone in any order.
  const job = (): string => `job-${newPublicId()}`;
  const raw = () => fixture.connection.collection<StoredDoc>('leases');
  const stored = (name: string) => raw().findOne({ _id: name });

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
    const first = await leases.acquire(name, 'worker-a', now, terms);
    assert.deepEqual(first, {
      lease: { job: name, owner: 'worker-a', fence: 1, until: at(now, ttl) },
    });

    const refused = { lease: null, refused: 'held' };
    assert.deepEqual(await leases.acquire(name, 'worker-b', at(now, ttl - 1), terms), refused);
    assert.deepEqual(await leases.acquire(name, 'worker-a', at(now, 1), terms), refused);
    assert.deepEqual(await stored(name), {
      _id: name,
      owner: 'worker-a',
      fence: 1,
      until: at(now, ttl),
      lastCompletedAt: null,
      lastCompletedRunStartedAt: null,
    });
  });

  it('renews a held lease, and not one that has expired', async () => {
    const name = job();
    const now = new Date();
    const lease = taken(await leases.acquire(name, 'worker-a', now, terms));
    const renewed = await leases.renew(lease, at(now, ttl - 1), ttl);
    assert.deepEqual(renewed, { ...lease, until: at(now, 2 * ttl - 1) });
    // Still refused to others until the renewed end.
    assert.equal((await leases.acquire(name, 'worker-b', at(now, ttl + 1), terms)).lease, null);

    // Expired (nobody took it yet): lost all the same, the holder must stop.
    assert.equal(await leases.renew(renewed, at(now, 2 * ttl - 1), ttl), null);
    assert.deepEqual((await stored(name))?.until, at(now, 2 * ttl - 1));
  });

  it('hands an expired lease to another owner with fence 2, and fences the old holder off', async () => {
    const name = job();
    const now = new Date();
    const old = taken(await leases.acquire(name, 'worker-a', now, terms));
    const takeoverAt = at(now, ttl);
    const next = taken(await leases.acquire(name, 'worker-b', takeoverAt, terms));
    assert.deepEqual(next, { job: name, owner: 'worker-b', fence: 2, until: at(takeoverAt, ttl) });

    // The old holder wakes up (a paused process): with its own clock still inside its lease,
    // nothing it does touches the new holder's lease, nor marks the job done.
    assert.equal(await leases.renew(old, at(now, 1), ttl), null);
    await leases.release(old, at(now, 1), { completed: true, startedAt: now });
    const untouched = {
      _id: name,
      owner: 'worker-b',
      fence: 2,
      until: at(takeoverAt, ttl),
      lastCompletedAt: null,
      lastCompletedRunStartedAt: null,
    };
    assert.deepEqual(await stored(name), untouched);
    await leases.release(old, at(now, 1), { completed: false });
    assert.deepEqual(await stored(name), untouched, 'a stale failed release frees nothing');
    // Even under the same owner name, a stale fence is refused.
    assert.equal(await leases.renew({ ...old, owner: 'worker-b' }, takeoverAt, ttl), null);
    assert.ok(await leases.renew(next, takeoverAt, ttl));
  });

  it('keeps the job not due for the gap after a completed run’s start, then gives it out', async () => {
    const name = job();
    const startedAt = new Date();
    const lease = taken(await leases.acquire(name, 'worker-a', startedAt, terms));
    const doneAt = at(startedAt, 1000);
    await leases.release(lease, doneAt, { completed: true, startedAt });
    // Released (nobody holds it), and the run is on record.
    assert.deepEqual(await stored(name), {
      _id: name,
      owner: 'worker-a',
      fence: 1,
      until: doneAt,
      lastCompletedAt: doneAt,
      lastCompletedRunStartedAt: startedAt,
    });

    // Another replica ticking at any phase, or this one restarted, within the gap: not due.
    const notDue = { lease: null, refused: 'not_due' };
    for (const ms of [1000, gap / 2, gap - 1]) {
      assert.deepEqual(await leases.acquire(name, 'worker-b', at(startedAt, ms), terms), notDue);
    }
    assert.equal((await stored(name))?.fence, 1, 'refusals change nothing');
    // A repeated release (completed or not) never holds or frees the job differently.
    await leases.release(lease, at(startedAt, 2000), { completed: false });
    assert.deepEqual((await stored(name))?.until, doneAt);
    assert.deepEqual(await leases.acquire(name, 'worker-b', at(startedAt, gap - 1), terms), notDue);

    const second = taken(await leases.acquire(name, 'worker-b', at(startedAt, gap), terms));
    assert.equal(second.fence, 2);
  });

  it('frees the job at once after a failed run, keeping the last completion', async () => {
    const name = job();
    const firstAt = new Date();
    const first = taken(await leases.acquire(name, 'worker-a', firstAt, terms));
    await leases.release(first, at(firstAt, 10), { completed: true, startedAt: firstAt });
    const dueAt = at(firstAt, gap);
    const failing = taken(await leases.acquire(name, 'worker-b', dueAt, terms));
    const failedAt = at(dueAt, 10);
    await leases.release(failing, failedAt, { completed: false });
    assert.deepEqual(await stored(name), {
      _id: name,
      owner: 'worker-b',
      fence: 2,
      until: failedAt,
      lastCompletedAt: at(firstAt, 10),
      lastCompletedRunStartedAt: firstAt,
    });
    // Any replica may retry at its next tick, however soon.
    const retry = taken(await leases.acquire(name, 'worker-a', failedAt, terms));
    assert.equal(retry.fence, 3);
  });

  it('judges due-ness by the gap the acquiring replica asks for, so a shorter interval applies at once', async () => {
    const name = job();
    const startedAt = new Date();
    const lease = taken(await leases.acquire(name, 'worker-a', startedAt, terms));
    await leases.release(lease, at(startedAt, 5), { completed: true, startedAt });
    const later = at(startedAt, 5_000);
    assert.equal((await leases.acquire(name, 'worker-b', later, terms)).lease, null);
    const shorter = { ttlMs: ttl, gapMs: 5_000 };
    assert.equal(taken(await leases.acquire(name, 'worker-b', later, shorter)).fence, 2);
  });

  it('counts a document written before runs were recorded as due', async () => {
    const name = job();
    const now = new Date();
    await raw().insertOne({
      _id: name,
      owner: 'old-worker',
      fence: 7,
      until: at(now, -1),
      lastCompletedAt: at(now, -1),
    });
    assert.equal(taken(await leases.acquire(name, 'worker-a', now, terms)).fence, 8);
  });

  it('records the completion of an expired lease nobody took, without moving its end later', async () => {
    const name = job();
    const now = new Date();
    const lease = taken(await leases.acquire(name, 'worker-a', now, terms));
    const late = at(now, ttl + 5000);
    await leases.release(lease, late, { completed: true, startedAt: now });
    const doc = await stored(name);
    assert.deepEqual(doc?.until, at(now, ttl));
    assert.deepEqual(doc?.lastCompletedAt, late);
    assert.deepEqual(doc?.lastCompletedRunStartedAt, now);
    // Nobody else ran it meanwhile: it was this run's, and the job is not due.
    assert.deepEqual(await leases.acquire(name, 'worker-b', late, terms), {
      lease: null,
      refused: 'not_due',
    });
  });

  it('lets exactly one of many concurrent acquisitions win, for a new and for a freed job', async () => {
    const name = job();
    const now = new Date();
    const owners = Array.from({ length: 10 }, (_, i) => `worker-${String(i)}`);
    const first = await Promise.all(owners.map((o) => leases.acquire(name, o, now, terms)));
    const winners = first.flatMap((r) => (r.lease === null ? [] : [r.lease]));
    assert.equal(winners.length, 1);
    assert.equal(winners[0]?.fence, 1);
    assert.equal((await stored(name))?.owner, winners[0]?.owner);

    const expiry = at(now, ttl);
    const second = await Promise.all(owners.map((o) => leases.acquire(name, o, expiry, terms)));
    const takeovers = second.flatMap((r) => (r.lease === null ? [] : [r.lease]));
    assert.equal(takeovers.length, 1);
    assert.equal(takeovers[0]?.fence, 2);
    assert.equal((await stored(name))?.fence, 2);
  });

  it('never reads a smuggled query operator, and refuses nonsense terms', async () => {
    const name = job();
    const now = new Date();
    const held = taken(await leases.acquire(name, 'worker-b', now, terms));

    // Operator objects in place of strings are coerced to (unmatched) strings.
    const smuggled = { $ne: null } as unknown as string;
    const forged = { job: name, owner: smuggled, fence: 1, until: now };
    assert.equal(await leases.renew(forged, now, ttl), null);
    await leases.release(forged, now, { completed: true, startedAt: now });
    assert.deepEqual(await stored(name), {
      _id: name,
      owner: 'worker-b',
      fence: 1,
      until: held.until,
      lastCompletedAt: null,
      lastCompletedRunStartedAt: null,
    });
    await leases.acquire(smuggled, 'worker-c', now, terms);
    assert.equal((await stored(name))?.owner, 'worker-b');

    await assert.rejects(leases.acquire(name, 'a', now, { ttlMs: -1, gapMs: gap }), RangeError);
    await assert.rejects(leases.acquire(name, 'a', now, { ttlMs: ttl, gapMs: NaN }), RangeError);
  });
});
