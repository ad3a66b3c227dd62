// Group commit per session: what arrives while one write is in flight goes in the next one, and
// each caller gets the outcome of the write that held its entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupedAppends } from './grouped-appends.js';

interface Write {
  key: string;
  entries: string[];
  finish(result: string): void;
  fail(error: Error): void;
}

function harness() {
  const writes: Write[] = [];
  const appends = new GroupedAppends<string, string>(
    (key, entries) =>
      new Promise<string>((resolve, reject) => {
        writes.push({ key, entries, finish: resolve, fail: reject });
      }),
  );
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return { writes, appends, settle };
}

describe('GroupedAppends', () => {
  it('writes a lone entry at once', async () => {
    const { writes, appends, settle } = harness();
    const result = appends.append('s-1', 'a');
    await settle();
    assert.deepEqual(
      writes.map((w) => w.entries),
      [['a']],
    );
    writes[0]?.finish('seq 1');
    assert.equal(await result, 'seq 1');
  });

  it('puts what arrives during a write in the next one, in arrival order', async () => {
    const { writes, appends, settle } = harness();
    const first = appends.append('s-1', 'a');
    await settle();
    const later = ['b', 'c', 'd'].map((entry) => appends.append('s-1', entry));
    await settle();
    assert.equal(writes.length, 1, 'none while the first is in flight');
    writes[0]?.finish('seq 1');
    assert.equal(await first, 'seq 1');
    await settle();
    assert.deepEqual(
      writes.map((w) => w.entries),
      [['a'], ['b', 'c', 'd']],
    );
    writes[1]?.finish('seq 4');
    assert.deepEqual(await Promise.all(later), ['seq 4', 'seq 4', 'seq 4']);
    // Idle again: the next entry is written at once.
    const next = appends.append('s-1', 'e');
    await settle();
    assert.deepEqual(writes[2]?.entries, ['e']);
    writes[2]?.finish('seq 5');
    await next;
  });

  it('fails only the callers of a failed write, and goes on with the next', async () => {
    const { writes, appends, settle } = harness();
    const first = appends.append('s-1', 'a');
    await settle();
    const second = appends.append('s-1', 'b');
    writes[0]?.fail(new Error('connection lost'));
    await assert.rejects(first, /connection lost/);
    await settle();
    assert.deepEqual(writes[1]?.entries, ['b']);
    writes[1]?.finish('seq 2');
    assert.equal(await second, 'seq 2');
  });

  it('writes sessions independently', async () => {
    const { writes, appends, settle } = harness();
    const a = appends.append('s-a', 'a');
    const b = appends.append('s-b', 'b');
    await settle();
    assert.deepEqual(
      writes.map((w) => `${w.key}:${w.entries.join(',')}`),
      ['s-a:a', 's-b:b'],
    );
    for (const w of writes) w.finish(w.key);
    assert.deepEqual(await Promise.all([a, b]), ['s-a', 's-b']);
  });
});
