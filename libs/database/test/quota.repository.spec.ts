import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { startFileRepositories, type FileRepositoriesFixture } from './file-repositories.js';

const owner = (): string => randomBytes(12).toString('hex');
const day = '2031-05-17';
const limits = { files: 10, bytes: 1_000_000 };

describe('QuotaRepository against MongoDB', () => {
  let fixture: FileRepositoriesFixture;
  const stored = (ownerId: string, d = day) =>
    fixture.raw('quota_days').findOne({ _id: `${ownerId}:${d}` });

  before(async () => {
    fixture = await startFileRepositories('quotas');
  });
  after(async () => {
    await fixture.close();
  });

  it('answers zeros for a day without usage', async () => {
    assert.deepEqual(await fixture.quotas.usage(owner(), day), { day, files: 0, bytes: 0 });
  });

  it('reserves files and bytes per owner and day, kept until two days after the day ends', async () => {
    const ownerId = owner();
    assert.equal(await fixture.quotas.reserve(ownerId, day, 1, 300, limits), true);
    assert.equal(await fixture.quotas.reserve(ownerId, day, 1, 200, limits), true);
    assert.deepEqual(await fixture.quotas.usage(ownerId, day), { day, files: 2, bytes: 500 });
    assert.deepEqual(await stored(ownerId), {
      _id: `${ownerId}:${day}`,
      ownerId,
      day,
      files: 2,
      bytes: 500,
      purgeAt: new Date('2031-05-20T00:00:00.000Z'),
    });
    // Another day, another owner: their own counters.
    assert.deepEqual(await fixture.quotas.usage(ownerId, '2031-05-18'), {
      day: '2031-05-18',
      files: 0,
      bytes: 0,
    });
    assert.deepEqual(await fixture.quotas.usage(owner(), day), { day, files: 0, bytes: 0 });
  });

  it('lets exactly 10 of 50 concurrent reservations in against a limit of 10 files', async () => {
    const ownerId = owner();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => fixture.quotas.reserve(ownerId, day, 1, 1000, limits)),
    );
    assert.equal(results.filter((r) => r).length, 10);
    assert.deepEqual(await fixture.quotas.usage(ownerId, day), { day, files: 10, bytes: 10_000 });
  });

  it('lets exactly the bytes limit’s worth of 50 concurrent reservations in', async () => {
    const ownerId = owner();
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        fixture.quotas.reserve(ownerId, day, 1, 100, { files: 100, bytes: 1000 }),
      ),
    );
    assert.equal(results.filter((r) => r).length, 10);
    assert.deepEqual(await fixture.quotas.usage(ownerId, day), { day, files: 10, bytes: 1000 });
    // Full to the byte: an empty file still fits.
    assert.equal(
      await fixture.quotas.reserve(ownerId, day, 1, 0, { files: 100, bytes: 1000 }),
      true,
    );
  });

  it('refuses a request over the limit on its own without storing anything', async () => {
    const ownerId = owner();
    assert.equal(
      await fixture.quotas.reserve(ownerId, day, 1, 1001, { files: 10, bytes: 1000 }),
      false,
    );
    assert.equal(
      await fixture.quotas.reserve(ownerId, day, 11, 1, { files: 10, bytes: 1000 }),
      false,
    );
    assert.equal(
      await fixture.quotas.reserve(ownerId, day, 1, 1, { files: 0, bytes: 1000 }),
      false,
    );
    assert.equal(await stored(ownerId), null);

    // And on a day with usage: refused, unchanged.
    assert.equal(
      await fixture.quotas.reserve(ownerId, day, 1, 600, { files: 10, bytes: 1000 }),
      true,
    );
    const before = await stored(ownerId);
    assert.equal(
      await fixture.quotas.reserve(ownerId, day, 1, 401, { files: 10, bytes: 1000 }),
      false,
    );
    assert.equal(
      await fixture.quotas.reserve(ownerId, day, 1, 2000, { files: 10, bytes: 1000 }),
      false,
    );
    assert.deepEqual(await stored(ownerId), before);
    assert.equal(
      await fixture.quotas.reserve(ownerId, day, 1, 400, { files: 10, bytes: 1000 }),
      true,
    );
  });

  it('refuses amounts and days that are not what it stores', async () => {
    await assert.rejects(fixture.quotas.reserve(owner(), day, -1, 0, limits), RangeError);
    await assert.rejects(fixture.quotas.reserve(owner(), day, 1, 0.5, limits), RangeError);
    await assert.rejects(fixture.quotas.reserve(owner(), '2031-02-30', 1, 1, limits), RangeError);
    await assert.rejects(fixture.quotas.reserve(owner(), 'today', 1, 1, limits), RangeError);
    await assert.rejects(fixture.quotas.release(owner(), day, 1, -5), RangeError);
  });

  it('gives reservations back, never below zero, and frees room for new ones', async () => {
    const ownerId = owner();
    const small = { files: 2, bytes: 1000 };
    assert.equal(await fixture.quotas.reserve(ownerId, day, 1, 400, small), true);
    assert.equal(await fixture.quotas.reserve(ownerId, day, 1, 600, small), true);
    assert.equal(await fixture.quotas.reserve(ownerId, day, 1, 0, small), false);

    await fixture.quotas.release(ownerId, day, 1, 600);
    assert.deepEqual(await fixture.quotas.usage(ownerId, day), { day, files: 1, bytes: 400 });
    assert.equal(await fixture.quotas.reserve(ownerId, day, 1, 600, small), true);

    // More than reserved: nothing to give back, nothing goes negative.
    await fixture.quotas.release(ownerId, day, 1, 1001);
    await fixture.quotas.release(ownerId, day, 3, 1);
    assert.deepEqual(await fixture.quotas.usage(ownerId, day), { day, files: 2, bytes: 1000 });

    await Promise.all(
      Array.from({ length: 10 }, () => fixture.quotas.release(ownerId, day, 1, 500)),
    );
    assert.deepEqual(await fixture.quotas.usage(ownerId, day), { day, files: 0, bytes: 0 });
    // A day without a document: nothing is created.
    await fixture.quotas.release(ownerId, '2031-05-19', 1, 1);
    assert.equal(await stored(ownerId, '2031-05-19'), null);
  });
});
