import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import {
  abortsUploadsUnder,
  hasAbortUploadsRule,
  ruleScope,
  rulesAbortingSooner,
  withAbortUploadsRule,
} from './abort-uploads-rule.js';

const abort = (
  rule: Omit<LifecycleRule, 'Status'>,
  status: 'Enabled' | 'Disabled' = 'Enabled',
) => ({
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
  Status: status,
  ...rule,
});

describe('abort-incomplete-uploads rule', () => {
  it('reads the scope of every filter shape; tags and sizes make it unreliable', () => {
    const cases: [LifecycleRule, string | null][] = [
      [{ Status: 'Enabled' }, ''],
      [{ Status: 'Enabled', Prefix: 'old/' }, 'old/'],
      [{ Status: 'Enabled', Filter: {} }, ''],
      [{ Status: 'Enabled', Filter: { Prefix: 'a/' } }, 'a/'],
      [{ Status: 'Enabled', Filter: { And: { Prefix: 'a/' } } }, 'a/'],
      [{ Status: 'Enabled', Filter: { Tag: { Key: 'k', Value: 'v' } } }, null],
      [{ Status: 'Enabled', Filter: { ObjectSizeLessThan: 10 } }, null],
      [{ Status: 'Enabled', Filter: { And: { Prefix: 'a/', ObjectSizeGreaterThan: 1 } } }, null],
      [
        { Status: 'Enabled', Filter: { And: { Prefix: 'a/', Tags: [{ Key: 'k', Value: 'v' }] } } },
        null,
      ],
    ];
    for (const [rule, scope] of cases) assert.equal(ruleScope(rule), scope, JSON.stringify(rule));
  });

  it('an enabled abort rule covers its own prefix and everything under it', () => {
    assert.equal(abortsUploadsUnder(abort({ Filter: { Prefix: '' } }), 'sessions/'), true);
    assert.equal(abortsUploadsUnder(abort({ Filter: { Prefix: 'sess' } }), 'sessions/'), true);
    assert.equal(abortsUploadsUnder(abort({ Filter: { Prefix: 'sessions/' } }), 'sessions/'), true);
    assert.equal(
      abortsUploadsUnder(abort({ Filter: { Prefix: 'sessions/a' } }), 'sessions/'),
      false,
    );
    assert.equal(
      abortsUploadsUnder(abort({ Filter: { Prefix: '' } }, 'Disabled'), 'sessions/'),
      false,
    );
    assert.equal(
      abortsUploadsUnder({ Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }, 'sessions/'),
      false,
    );
  });

  it('a rule with our ID counts as present whatever it says; else an enabled abort rule must cover', () => {
    const ours = { id: 'ours', prefix: 'sessions/', days: 1 };
    const expire: LifecycleRule = {
      ID: 'a',
      Status: 'Enabled',
      Filter: {},
      Expiration: { Days: 1 },
    };
    assert.equal(hasAbortUploadsRule([], ours), false);
    assert.equal(hasAbortUploadsRule([expire], ours), false);
    assert.equal(hasAbortUploadsRule([expire, abort({ ID: 'theirs', Filter: {} })], ours), true);
    assert.equal(
      hasAbortUploadsRule([abort({ ID: 'theirs', Filter: {} }, 'Disabled')], ours),
      false,
      "someone else's disabled rule does not count",
    );
    const mineVariants: LifecycleRule[] = [
      abort({ ID: 'ours', Filter: { Prefix: 'sessions/' } }, 'Disabled'),
      abort({ ID: 'ours', Filter: { Prefix: 'elsewhere/' } }),
      { ID: 'ours', Status: 'Disabled', Filter: {}, Expiration: { Days: 9 } },
    ];
    for (const mine of mineVariants) {
      assert.equal(hasAbortUploadsRule([expire, mine], ours), true, JSON.stringify(mine));
    }
  });

  it('names the enabled rules that abort some uploads under the prefix in fewer days than ours', () => {
    const ours = { id: 'ours', prefix: 'sessions/', days: 3 };
    const withDays = (rule: LifecycleRule, days: number): LifecycleRule => ({
      ...rule,
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
    });
    const sooner: LifecycleRule[] = [
      withDays({ ID: 'ours', Status: 'Enabled', Filter: { Prefix: 'sessions/' } }, 1),
      withDays({ ID: 'bucket', Status: 'Enabled', Filter: {} }, 2),
      withDays({ ID: 'legacy', Status: 'Enabled', Prefix: 'sess' }, 1),
      withDays({ ID: 'narrower', Status: 'Enabled', Filter: { Prefix: 'sessions/a/' } }, 1),
      withDays(
        { Status: 'Enabled', Filter: { And: { Prefix: 'sessions/', ObjectSizeLessThan: 9 } } },
        2,
      ),
    ];
    const harmless: LifecycleRule[] = [
      withDays({ ID: 'as-long', Status: 'Enabled', Filter: {} }, 3),
      withDays({ ID: 'longer', Status: 'Enabled', Filter: { Prefix: 'sessions/' } }, 7),
      withDays({ ID: 'off', Status: 'Disabled', Filter: {} }, 1),
      withDays({ ID: 'elsewhere', Status: 'Enabled', Filter: { Prefix: 'uploads/' } }, 1),
      { ID: 'expire', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } },
    ];
    assert.deepEqual(rulesAbortingSooner([...harmless, ...sooner], ours), [
      { id: 'ours', days: 1 },
      { id: 'bucket', days: 2 },
      { id: 'legacy', days: 1 },
      { id: 'narrower', days: 1 },
      { id: null, days: 2 },
    ]);
    assert.deepEqual(rulesAbortingSooner(harmless, ours), []);
  });

  it('adds ours after the others, and never rewrites a rule carrying our ID', () => {
    const others: LifecycleRule[] = [
      { ID: 'a', Status: 'Enabled', Filter: { Prefix: 'a/' }, Expiration: { Days: 1 } },
      { ID: 'ours', Status: 'Disabled', Filter: { Prefix: 'x/' }, Expiration: { Days: 1 } },
      { ID: 'b', Status: 'Enabled', Filter: { Prefix: 'b/' }, Expiration: { Days: 1 } },
    ];
    const ours = { id: 'ours', prefix: 'sessions/', days: 1 };
    const rule: LifecycleRule = {
      ID: 'ours',
      Filter: { Prefix: 'sessions/' },
      Status: 'Enabled',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    };
    assert.deepEqual(withAbortUploadsRule([others[0], others[2]], ours), [
      others[0],
      others[2],
      rule,
    ]);
    assert.deepEqual(withAbortUploadsRule(others, ours), others);
    assert.deepEqual(withAbortUploadsRule([], ours), [rule]);
  });
});
