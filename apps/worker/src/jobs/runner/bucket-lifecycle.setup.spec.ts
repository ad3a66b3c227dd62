import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { LifecycleRuleOutcome } from '@app/storage';
import { BucketLifecycleSetup } from './bucket-lifecycle.setup.js';

/** Storage that fails `failures` times, then answers `outcome`. */
function storage(failures: number, outcome: LifecycleRuleOutcome = 'added') {
  const calls: { id: string; prefix: string; days: number }[] = [];
  return {
    calls,
    ensureAbortIncompleteUploadsRule(rule: { id: string; prefix: string; days: number }) {
      calls.push(rule);
      return calls.length <= failures
        ? Promise.reject(new Error('storage unavailable'))
        : Promise.resolve(outcome);
    },
  };
}

describe('BucketLifecycleSetup', () => {
  it('puts the abort-incomplete-uploads rule under sessions/ once', async () => {
    const s = storage(0, 'present');
    const setup = new BucketLifecycleSetup(s);
    setup.onApplicationBootstrap();
    await sleep(50);
    assert.deepEqual(s.calls, [
      { id: 'sharexpress-abort-incomplete-uploads', prefix: 'sessions/', days: 1 },
    ]);
    setup.beforeApplicationShutdown();
  });

  it('tries again while storage is down, until the rule is in place', async () => {
    const s = storage(2);
    const setup = new BucketLifecycleSetup(s);
    setup.retryMs = 20;
    setup.onApplicationBootstrap();
    await sleep(150);
    assert.equal(s.calls.length, 3);
    setup.beforeApplicationShutdown();
  });

  it('stops trying at shutdown', async () => {
    const s = storage(Infinity);
    const setup = new BucketLifecycleSetup(s);
    setup.retryMs = 20;
    setup.onApplicationBootstrap();
    await sleep(50);
    setup.beforeApplicationShutdown();
    const tries = s.calls.length;
    assert.ok(tries >= 2, String(tries));
    await sleep(80);
    assert.equal(s.calls.length, tries);
  });
});
