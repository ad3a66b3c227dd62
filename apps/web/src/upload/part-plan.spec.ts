import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectedPartSize, MIN_MULTIPART_BYTES, partCount, partRange } from './part-plan';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const MAX_PARTS = 10_000;

// The server's rule in whole numbers (apps/api/src/modules/files/policy/part-plan.ts, docs/api.md
// "Single or multipart"): partSize = max(8 MiB, ceil(size / 10000) rounded up to a whole MiB).
function serverPartSize(size: number): number {
  const perPart = (BigInt(size) + BigInt(MAX_PARTS) - 1n) / BigInt(MAX_PARTS);
  const mib = BigInt(MIB);
  const rounded = ((perPart + mib - 1n) / mib) * mib;
  return Math.max(8 * MIB, Number(rounded));
}

describe('part plan (the sizes the server will ask for)', () => {
  test('a 5 GiB file is 640 parts of 8 MiB', () => {
    const size = 5 * GIB;
    assert.equal(expectedPartSize(size), 8 * MIB);
    assert.equal(partCount(size, expectedPartSize(size)), 640);
  });

  test('files below 80,000 MiB keep 8 MiB parts; bigger ones grow the part, never the count', () => {
    assert.equal(expectedPartSize(MIN_MULTIPART_BYTES), 8 * MIB);
    assert.equal(expectedPartSize(80_000 * MIB), 8 * MIB);
    assert.equal(partCount(80_000 * MIB, 8 * MIB), MAX_PARTS);
    // One byte more no longer fits 10,000 parts of 8 MiB: the part becomes 9 MiB.
    assert.equal(expectedPartSize(80_000 * MIB + 1), 9 * MIB);
    assert.equal(partCount(80_000 * MIB + 1, 9 * MIB), 8889);
  });

  test('part size is a whole MiB and a file never needs more than 10,000 parts', () => {
    const sizes = [
      8 * MIB,
      100 * MIB + 3,
      50 * GIB,
      78.125 * GIB,
      78.125 * GIB + 1,
      100 * GIB - 1,
      100 * GIB,
      1024 * GIB,
      5 * 1024 * GIB,
      Number.MAX_SAFE_INTEGER,
    ];
    // And sizes spread over 0..6 TiB that land off every MiB boundary.
    for (let i = 1; i <= 500; i += 1) sizes.push(i * 13_194_139_533 + i);
    for (const size of sizes) {
      const partSize = expectedPartSize(size);
      assert.equal(partSize, serverPartSize(size), `part size of ${String(size)} B`);
      assert.equal(partSize % MIB, 0, `${String(size)} B: whole MiB`);
      assert.ok(partCount(size, partSize) <= MAX_PARTS, `${String(size)} B: at most 10,000 parts`);
    }
  });

  test('the parts cover every byte once, the last one holding the rest', () => {
    const size = 20 * MIB + 5;
    const partSize = expectedPartSize(size);
    const count = partCount(size, partSize);
    assert.equal(count, 3);
    assert.deepEqual(partRange(size, partSize, 1), [0, 8 * MIB]);
    assert.deepEqual(partRange(size, partSize, 2), [8 * MIB, 16 * MIB]);
    assert.deepEqual(partRange(size, partSize, 3), [16 * MIB, size]);
    const last = partRange(size, partSize, count);
    assert.equal(last[1] - last[0], 4 * MIB + 5);
  });

  test('an exact multiple ends with a full part, not an empty one', () => {
    const size = 3 * 8 * MIB;
    assert.equal(partCount(size, 8 * MIB), 3);
    assert.deepEqual(partRange(size, 8 * MIB, 3), [16 * MIB, 24 * MIB]);
  });

  test('an empty multipart upload still has one (empty) part, as on the server', () => {
    assert.equal(partCount(0, 8 * MIB), 1);
    assert.deepEqual(partRange(0, 8 * MIB, 1), [0, 0]);
  });

  test('files from 8 MiB on get part hashes (no server threshold is lower)', () => {
    assert.equal(MIN_MULTIPART_BYTES, 8 * MIB);
  });
});
