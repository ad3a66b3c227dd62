import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Output } from '../core/output.ts';
import { FileProgress } from './progress.ts';

describe('FileProgress', () => {
  it('emits --json progress at most every 250 ms per file, but always a phase start and end', () => {
    const events: Record<string, unknown>[] = [];
    const out: Output = {
      json: true,
      info: () => undefined,
      result: () => undefined,
      event: (e) => events.push(e),
      progress: () => undefined,
      done: () => undefined,
    };
    let now = 0;
    const p = new FileProgress(out, 'bar', 'big.bin', () => now);
    p.fileId = 'F';
    p.update('hashing', 0, 100);
    for (let done = 1; done < 100; done++) {
      now += 10;
      p.update('hashing', done, 100);
    }
    p.update('hashing', 100, 100);
    p.update('uploading', 0, 100);
    // 990 ms of updates: the start, about 4 in between, the end, then the next phase's start.
    assert.ok(events.length >= 5 && events.length <= 8, String(events.length));
    assert.deepEqual(events.at(-2), {
      event: 'progress',
      fileId: 'F',
      name: 'big.bin',
      phase: 'hashing',
      done: 100,
      total: 100,
    });
    assert.equal(events.at(-1)?.phase, 'uploading');
  });
});
