import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_PARTS,
  MIN_PART_BYTES,
  partLength,
  planParts,
  type MultipartPlan,
} from './part-plan.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const TIB = 1024 * GIB;
const THRESHOLD = 64 * MIB;

function multipart(size: number, threshold = THRESHOLD): MultipartPlan {
  const plan = planParts(size, threshold);
  assert.equal(plan.mode, 'multipart');
  return plan;
}

/** The parts add up to the size, all but the last are partSize, the last is 1..partSize. */
function assertCovers(plan: MultipartPlan): void {
  const last = partLength(plan, plan.partCount);
  assert.equal(plan.partSize * (plan.partCount - 1) + last, plan.size);
  if (plan.size > 0) assert.ok(last >= 1 && last <= plan.partSize, `last part ${last}`);
  if (plan.partCount > 1) assert.equal(partLength(plan, plan.partCount - 1), plan.partSize);
  assert.ok(plan.partCount <= MAX_PARTS);
  assert.ok(plan.partSize >= MIN_PART_BYTES);
  assert.equal(plan.partSize % MIB, 0);
}

describe('planParts', () => {
  it('uses one PUT just below the threshold and multipart from the threshold on', () => {
    assert.deepEqual(planParts(THRESHOLD - 1, THRESHOLD), { mode: 'single' });
    assert.deepEqual(planParts(0, THRESHOLD), { mode: 'single' });
    assert.deepEqual(planParts(1, THRESHOLD), { mode: 'single' });
    const plan = multipart(THRESHOLD);
    assert.deepEqual(plan, { mode: 'multipart', partSize: 8 * MIB, partCount: 8, size: THRESHOLD });
    assertCovers(plan);
    assert.deepEqual(multipart(THRESHOLD + 1), {
      mode: 'multipart',
      partSize: 8 * MIB,
      partCount: 9,
      size: THRESHOLD + 1,
    });
  });

  it('keeps 8 MiB parts until 10000 of them are not enough', () => {
    const most = 8 * MIB * MAX_PARTS; // 78.125 GiB
    assert.deepEqual(multipart(most), {
      mode: 'multipart',
      partSize: 8 * MIB,
      partCount: 10_000,
      size: most,
    });
    const more = multipart(most + 1);
    assert.equal(more.partSize, 9 * MIB);
    assert.equal(more.partCount, Math.ceil((most + 1) / (9 * MIB)));
    assertCovers(more);
  });

  it('splits exact multiples into equal parts', () => {
    const plan = multipart(256 * MIB);
    assert.deepEqual([plan.partSize, plan.partCount], [8 * MIB, 32]);
    for (let n = 1; n <= plan.partCount; n++) assert.equal(partLength(plan, n), 8 * MIB);
    assertCovers(plan);
  });

  it('plans 5 TiB within 10000 parts of whole MiB', () => {
    const plan = multipart(5 * TIB);
    assert.equal(plan.partSize, 525 * MIB); // ceil(5 TiB / 10000) = 524.29 MiB, rounded up
    assert.equal(plan.partCount, 9987);
    assertCovers(plan);
    assert.equal(partLength(plan, 9987), 5 * TIB - 525 * MIB * 9986);
  });

  it('makes every plan cover its size exactly', () => {
    for (const size of [
      THRESHOLD,
      100 * MIB + 7,
      GIB,
      5 * GIB,
      50 * GIB + 3,
      100 * GIB,
      TIB - 1,
      5 * TIB,
    ]) {
      assertCovers(multipart(size));
    }
  });

  it('honours a threshold below the part size (one short part)', () => {
    const plan = multipart(MIB, MIB);
    assert.deepEqual([plan.partSize, plan.partCount], [8 * MIB, 1]);
    assert.equal(partLength(plan, 1), MIB);
    const empty = multipart(0, 0);
    assert.deepEqual([empty.partCount, partLength(empty, 1)], [1, 0]);
  });

  it('refuses sizes that are not byte counts', () => {
    for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      assert.throws(() => planParts(size, THRESHOLD), RangeError, String(size));
    }
    assert.throws(() => planParts(1, -1), RangeError);
  });
});

describe('partLength', () => {
  const plan = multipart(100 * MIB + 5); // 13 parts: 12 × 8 MiB + 4 MiB + 5 bytes
  it('gives partSize to every part but the last, the remainder to the last', () => {
    assert.equal(plan.partCount, 13);
    assert.equal(partLength(plan, 1), 8 * MIB);
    assert.equal(partLength(plan, 12), 8 * MIB);
    assert.equal(partLength(plan, 13), 4 * MIB + 5);
  });

  it('works from stored fields', () => {
    assert.equal(
      partLength({ size: plan.size, partSize: plan.partSize, partCount: 13 }, 13),
      4 * MIB + 5,
    );
  });

  it('refuses part numbers outside the plan', () => {
    for (const n of [0, -1, 14, 1.5, Number.NaN]) {
      assert.throws(() => partLength(plan, n), RangeError, String(n));
    }
  });
});
