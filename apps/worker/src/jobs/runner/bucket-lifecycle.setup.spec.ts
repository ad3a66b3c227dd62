import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import type { LifecycleRuleOutcome } from '@app/storage';
import { abortAfterDays, BucketLifecycleSetup } from './bucket-lifecycle.setup.js';

const DAY = 86_400;
const ID = 'sharexpress-abort-incomplete-uploads';
const ADDED: LifecycleRuleOutcome = { outcome: 'added', abortingSooner: [] };

/** Storage that fails `failures` times, then answers `outcome`. */
function storage(failures: number, outcome: LifecycleRuleOutcome = ADDED) {
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

const config = (uploadWindowSeconds = DAY) => ({ files: { uploadWindowSeconds } });

describe('abortAfterDays', () => {
  it('waits the whole upload window plus a day, so no upload is aborted inside its window', () => {
    const cases: [number, number][] = [
      [1, 2],
      [3600, 2],
      [DAY, 2],
      [DAY + 1, 3],
      [3 * DAY, 4],
      [7 * DAY, 8],
    ];
    for (const [window, days] of cases) assert.equal(abortAfterDays(window), days, String(window));
    for (let window = 1; window <= 7 * DAY; window += 3571) {
      assert.ok(abortAfterDays(window) * DAY >= window + DAY, String(window));
    }
  });
});

describe('BucketLifecycleSetup', () => {
  const warnings: string[] = [];
  const logs: string[] = [];
  before(() => {
    const recorder: LoggerService = {
      log: (message: unknown) => logs.push(String(message)),
      error: () => undefined,
      warn: (message: unknown) => warnings.push(String(message)),
    };
    Logger.overrideLogger(recorder);
  });
  beforeEach(() => {
    warnings.length = 0;
    logs.length = 0;
  });
  after(() => {
    Logger.overrideLogger(new ConsoleLogger());
  });

  it('puts the abort-incomplete-uploads rule under sessions/ once, its days from the window', async () => {
    for (const [window, days] of [
      [DAY, 2],
      [7 * DAY, 8],
    ]) {
      const s = storage(0);
      const setup = new BucketLifecycleSetup(config(window), s);
      setup.onApplicationBootstrap();
      await sleep(50);
      assert.deepEqual(s.calls, [{ id: ID, prefix: 'sessions/', days }]);
      assert.match(logs.join('\n'), new RegExp(`${ID} added .* after ${String(days)} days`));
      setup.beforeApplicationShutdown();
    }
    assert.deepEqual(warnings, []);
  });

  it('tries again while storage is down, until the rule is in place', async () => {
    const s = storage(2);
    const setup = new BucketLifecycleSetup(config(), s);
    setup.retryMs = 20;
    setup.onApplicationBootstrap();
    // Polled rather than slept: a loaded machine may take longer than 3 × 20 ms.
    for (let waited = 0; s.calls.length < 3 && waited < 5_000; waited += 10) await sleep(10);
    // Then no fourth: the third attempt put the rule.
    await sleep(80);
    assert.equal(s.calls.length, 3);
    setup.beforeApplicationShutdown();
  });

  it('stops trying at shutdown', async () => {
    const s = storage(Infinity);
    const setup = new BucketLifecycleSetup(config(), s);
    setup.retryMs = 20;
    setup.onApplicationBootstrap();
    await sleep(50);
    setup.beforeApplicationShutdown();
    const tries = s.calls.length;
    assert.ok(tries >= 2, String(tries));
    await sleep(80);
    assert.equal(s.calls.length, tries);
  });

  it('on a final refusal (no permission, no lifecycle API, the rule refused): one warning, no retry', async () => {
    const cases: [LifecycleRuleOutcome, RegExp][] = [
      [
        { outcome: 'forbidden', permission: 's3:GetLifecycleConfiguration' },
        /credentials lack s3:GetLifecycleConfiguration: .* jobs only/,
      ],
      [
        { outcome: 'forbidden', permission: 's3:PutLifecycleConfiguration' },
        /credentials lack s3:PutLifecycleConfiguration: .* jobs only/,
      ],
      [{ outcome: 'unsupported' }, /no bucket lifecycle rules/],
      [
        { outcome: 'unsupported', refusedWith: 'MalformedXML' },
        /refused bucket lifecycle rule .* \(MalformedXML\).*MINIO_API_STALE_UPLOADS_EXPIRY/,
      ],
    ];
    for (const [outcome, expected] of cases) {
      warnings.length = 0;
      const s = storage(0, outcome);
      const setup = new BucketLifecycleSetup(config(), s);
      setup.retryMs = 10;
      setup.onApplicationBootstrap();
      await sleep(80);
      assert.equal(s.calls.length, 1, expected.source);
      assert.equal(warnings.length, 1, expected.source);
      assert.match(warnings[0] ?? '', expected);
      setup.beforeApplicationShutdown();
    }
  });

  it('warns about each rule that aborts sooner than the window allows, saying how to fix it', async () => {
    const s = storage(0, {
      outcome: 'present',
      abortingSooner: [
        { id: ID, days: 1 },
        { id: 'theirs', days: 2 },
        { id: null, days: 1 },
      ],
    });
    const setup = new BucketLifecycleSetup(config(3 * DAY), s);
    setup.onApplicationBootstrap();
    await sleep(50);
    assert.equal(s.calls.length, 1);
    assert.equal(warnings.length, 3);
    assert.match(
      warnings[0] ?? '',
      new RegExp(
        `^bucket lifecycle rule ${ID} aborts incomplete uploads under sessions/ after 1 day\\(s\\), ` +
          'sooner than UPLOAD_WINDOW_SECONDS=259200 allows \\(4 days\\).*' +
          'raise its DaysAfterInitiation to 4, or delete it and the worker puts it back with 4',
      ),
    );
    assert.match(warnings[1] ?? '', /^bucket lifecycle rule theirs .* after 2 day.*at least 4$/);
    assert.match(warnings[2] ?? '', /^a bucket lifecycle rule without an ID .* after 1 day/);
    setup.beforeApplicationShutdown();
  });
});
