import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hashFile } from './hash.ts';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('hashFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sx-hash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the SHA-256 of the whole file and of each part, parts crossing read chunks', async () => {
    // 2.5 MiB read in 1 MiB chunks, with parts of 700,001 bytes: boundaries inside chunks.
    const bytes = randomBytes(2.5 * 1024 * 1024);
    const path = join(dir, 'f.bin');
    writeFileSync(path, bytes);
    const partSize = 700_001;
    let last = 0;
    const got = await hashFile(
      path,
      partSize,
      (done) => (last = done),
      new AbortController().signal,
    );
    assert.equal(got.sha256, sha(bytes));
    const expected: string[] = [];
    for (let start = 0; start < bytes.length; start += partSize) {
      expected.push(sha(bytes.subarray(start, start + partSize)));
    }
    assert.deepEqual(got.parts, expected);
    assert.equal(last, bytes.length);
  });

  it('hashes an empty file (what sha256sum prints) and parts only when asked', async () => {
    const path = join(dir, 'empty');
    writeFileSync(path, '');
    const got = await hashFile(path, 0, () => undefined, new AbortController().signal);
    assert.equal(got.sha256, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.deepEqual(got.parts, []);
  });
});
