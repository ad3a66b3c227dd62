import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedPartSize, partCount, partLength, partRange } from './part-plan.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe('part plan (the server rule)', () => {
  it('uses 8 MiB parts up to 80,000 MiB and whole MiB above, never more than 10,000 parts', () => {
    assert.equal(expectedPartSize(64 * MIB), 8 * MIB);
    assert.equal(expectedPartSize(5 * GIB), 8 * MIB);
    assert.equal(partCount(5 * GIB, 8 * MIB), 640);
    const huge = 100_000 * MIB + 1;
    assert.equal(expectedPartSize(huge), 11 * MIB);
    assert.ok(partCount(huge, expectedPartSize(huge)) <= 10_000);
  });

  it('cuts a file into ranges that cover every byte once, the last part holding the rest', () => {
    const size = 17 * MIB + 5;
    const count = partCount(size, 8 * MIB);
    assert.equal(count, 3);
    assert.deepEqual(partRange(size, 8 * MIB, 1), [0, 8 * MIB]);
    assert.deepEqual(partRange(size, 8 * MIB, 3), [16 * MIB, size]);
    let covered = 0;
    for (let n = 1; n <= count; n++) covered += partLength(size, 8 * MIB, n);
    assert.equal(covered, size);
  });

  it('gives an exact multiple of the part size no empty last part', () => {
    assert.equal(partCount(16 * MIB, 8 * MIB), 2);
    assert.equal(partLength(16 * MIB, 8 * MIB, 2), 8 * MIB);
  });
});
