import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import type { JobLease } from '@app/database';
import { LeaseLostError } from '../lifecycle-job.js';
import { LeaseGuard } from './lease-guard.js';

const silent = { warn: () => undefined };

/** A renew() that answers what `answer` says and records each call's `now`. */
function renewals(answer: (lease: JobLease, now: Date, ttlMs: number) => Promise<JobLease | null>) {
  const sent: number[] = [];
  return {
    sent,
    renew: (lease: JobLease, now: Date, ttlMs: number) => {
      sent.push(now.getTime());
      return answer(lease, now, ttlMs);
    },
  };
}
const extend = (lease: JobLease, now: Date, ttlMs: number): Promise<JobLease | null> =>
  Promise.resolve({ ...lease, until: new Date(now.getTime() + ttlMs) });

const leaseUntil = (until: number): JobLease => ({
  job: 'purge-files',
  owner: 'host:1:abcd',
  fence: 7,
  until: new Date(until),
});

describe('LeaseGuard', () => {
  const guards: LeaseGuard[] = [];
  afterEach(async () => {
    for (const guard of guards.splice(0)) await guard.stop();
  });
  function guard(
    repo: Pick<ReturnType<typeof renewals>, 'renew'>,
    lease: JobLease,
    ttlMs: number,
    clock: () => number,
    onRenewFailure?: () => void,
  ): LeaseGuard {
    const made = new LeaseGuard(repo, lease, { ttlMs, clock, logger: silent, onRenewFailure });
    guards.push(made);
    return made;
  }

  it('lets writes through while the lease runs, and stops them a margin before its end', () => {
    let now = 1_000_000;
    const ttlMs = 60_000;
    const g = guard(renewals(extend), leaseUntil(now + ttlMs), ttlMs, () => now);
    assert.equal(g.fence, 7);
    g.check();
    now += ttlMs - 2_001; // the margin is min(ttl/4, 2 s)
    g.check();
    assert.equal(g.holds(), true);
    now += 2;
    assert.throws(() => g.check(), LeaseLostError);
    assert.equal(g.holds(), false);
  });

  it('a short lease keeps a margin of a quarter of it', () => {
    let now = 5_000;
    const g = guard(renewals(extend), leaseUntil(now + 1000), 1000, () => now);
    now += 749;
    g.check();
    now += 2;
    assert.throws(() => g.check(), /lease of job purge-files lost/);
  });

  it('renews every third of the TTL, extending the fence window from the time it was sent', async () => {
    let now = 0;
    const repo = renewals(extend);
    const g = guard(repo, leaseUntil(300), 300, () => now);
    now = 200; // past the first renewal's due time, still before the lease's end
    await sleep(150);
    assert.deepEqual(repo.sent, [200]);
    now = 280; // past the first lease's margin (225), well within the renewed one (500 - 75)
    g.check();
    assert.equal(g.lease.until.getTime(), 500);
  });

  it('gives each write the lease end less the margin as its deadline, the instant check() starts throwing', () => {
    let now = 1_000_000;
    const ttlMs = 60_000;
    const g = guard(renewals(extend), leaseUntil(now + ttlMs), ttlMs, () => now);
    const deadline = g.beforeWrite().notAfter.getTime();
    assert.equal(deadline, now + ttlMs - 2_000);
    now = deadline - 1;
    g.check();
    assert.equal(g.beforeWrite().notAfter.getTime(), deadline, 'the clock alone does not move it');
    now = deadline;
    assert.throws(() => g.check(), LeaseLostError);
    assert.throws(
      () => g.beforeWrite(),
      LeaseLostError,
      'no deadline for a write checked too late',
    );

    const short = guard(renewals(extend), leaseUntil(5_000 + 1000), 1000, () => 5_000);
    assert.equal(short.beforeWrite().notAfter.getTime(), 6_000 - 250, 'a quarter of a short TTL');
  });

  it('moves the write deadline with each renewal, only once the renewal is answered', async () => {
    let now = 0;
    let answer: (() => void) | undefined;
    const repo = renewals(
      (lease, at, ttlMs) =>
        new Promise<JobLease | null>((resolve) => {
          answer = () => resolve({ ...lease, until: new Date(at.getTime() + ttlMs) });
        }),
    );
    const g = guard(repo, leaseUntil(300), 300, () => now);
    assert.equal(g.beforeWrite().notAfter.getTime(), 225);
    now = 200;
    await sleep(150);
    assert.deepEqual(repo.sent, [200]);
    // Sent, not answered: the database may not have extended it, the deadline stays.
    assert.equal(g.beforeWrite().notAfter.getTime(), 225);
    answer?.();
    await sleep(0);
    assert.equal(g.lease.until.getTime(), 500);
    assert.equal(g.beforeWrite().notAfter.getTime(), 500 - 75);
    now = 424;
    g.check();
    now = 425;
    assert.throws(() => g.check(), LeaseLostError);
  });

  it('gives no write a deadline once a renewal finds the lease taken over, and keeps the lease', async () => {
    const repo = renewals(() => Promise.resolve(null));
    const g = guard(repo, leaseUntil(300), 300, () => 0);
    assert.equal(g.beforeWrite().notAfter.getTime(), 225);
    await sleep(150);
    assert.equal(repo.sent.length, 1);
    assert.throws(() => g.check(), /taken over/);
    assert.throws(() => g.beforeWrite(), /taken over/);
    // The lease as last renewed (the deadline's source) is not moved by the refused renewal.
    assert.equal(g.lease.until.getTime(), 300);
  });

  it('a guard whose local clock passed the lease end throws and sends no renewal', async () => {
    let now = 0;
    const repo = renewals(extend);
    const g = guard(repo, leaseUntil(300), 300, () => now);
    now = 300; // e.g. woken from SIGSTOP: the lease lapsed before the first renewal was due
    await sleep(250);
    assert.deepEqual(repo.sent, []);
    assert.throws(() => g.check(), LeaseLostError);
    now = 0; // lost for good, even if the clock stepped back
    assert.throws(() => g.check(), LeaseLostError);
    assert.equal(g.holds(), false);
  });

  it('a renewal that finds the lease taken over makes check throw, and renewing stops', async () => {
    const now = 0;
    const repo = renewals(() => Promise.resolve(null));
    const g = guard(repo, leaseUntil(300), 300, () => now);
    g.check();
    await sleep(250);
    assert.equal(repo.sent.length, 1);
    assert.throws(() => g.check(), /taken over/);
    await sleep(150);
    assert.equal(repo.sent.length, 1);
  });

  it('never overlaps renewals: a hung renewal holds the next ones back', async () => {
    const repo = renewals(() => new Promise<JobLease | null>(() => undefined));
    const g = new LeaseGuard(repo, leaseUntil(Date.now() + 300), { ttlMs: 300, logger: silent });
    await sleep(280);
    assert.equal(repo.sent.length, 1);
    // Not awaited: the renewal never settles.
    void g.stop();
  });

  it('a failed renewal is counted and retried while the lease still runs', async () => {
    let now = 0;
    let failures = 0;
    const repo = renewals(() => Promise.reject(new Error('connection refused')));
    const g = guard(
      repo,
      leaseUntil(300),
      300,
      () => now,
      () => failures++,
    );
    await sleep(250);
    assert.equal(repo.sent.length, 2);
    assert.equal(failures, 2);
    g.check(); // the lease still runs by the local clock
    now = 226;
    assert.throws(() => g.check(), LeaseLostError);
  });

  it('stop() waits for the renewal in flight and ends renewing', async () => {
    let answer: ((lease: JobLease | null) => void) | undefined;
    const repo = renewals(
      (lease, now, ttlMs) =>
        new Promise<JobLease | null>((resolve) => {
          answer = () => resolve({ ...lease, until: new Date(now.getTime() + ttlMs) });
        }),
    );
    const g = guard(repo, leaseUntil(Date.now() + 300), 300, Date.now);
    await sleep(130);
    assert.equal(repo.sent.length, 1);
    let stopped = false;
    const stopping = g.stop().then(() => (stopped = true));
    await sleep(10);
    assert.equal(stopped, false);
    answer?.(null);
    await stopping;
    await sleep(250);
    assert.equal(repo.sent.length, 1);
  });

  it('revoke() makes check throw at once and sends nothing more', async () => {
    const repo = renewals(extend);
    const g = guard(repo, leaseUntil(Date.now() + 300), 300, Date.now);
    g.revoke('the worker is shutting down');
    assert.throws(() => g.check(), /shutting down/);
    await sleep(150);
    assert.deepEqual(repo.sent, []);
  });
});
