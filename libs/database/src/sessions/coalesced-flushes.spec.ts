// The per-session coalescing of outbox flushes: a caller goes on only after a flush that holds
// its seq, and changes that commit while one flush runs share the next one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoalescedFlushes, type OutboxSnapshot } from './coalesced-flushes.js';

interface Run {
  seq: number;
  copied: number;
  finish(): void;
  fail(error: Error): void;
}

/** Flushes whose runs end when the test says so; `done` lists the seqs of callers that went on. */
function harness() {
  const runs: Run[] = [];
  const failures: string[] = [];
  const done: number[] = [];
  const flushes = new CoalescedFlushes<OutboxSnapshot>(
    (snapshot, copied) =>
      new Promise<void>((resolve, reject) => {
        runs.push({ seq: snapshot.seq, copied, finish: resolve, fail: reject });
      }),
    (snapshot, error) => failures.push(`${String(snapshot.seq)}: ${(error as Error).message}`),
  );
  const commit = (seq: number, id = 's-1'): Promise<void> =>
    flushes.after({ _id: id, seq }).then(() => {
      done.push(seq);
    });
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return { runs, failures, done, commit, settle };
}

describe('CoalescedFlushes', () => {
  it('flushes a lone change at once and lets its caller go on only after the flush', async () => {
    const { runs, done, commit, settle } = harness();
    const going = commit(1);
    await settle();
    assert.deepEqual(
      runs.map((r) => r.seq),
      [1],
    );
    assert.deepEqual(done, [], 'not before its flush ended');
    runs[0]?.finish();
    await going;
    assert.deepEqual(done, [1]);
  });

  it('copies the changes that commit during a flush in one next flush, from the newest snapshot', async () => {
    const { runs, done, commit, settle } = harness();
    const first = commit(1);
    await settle();
    // Ten changes commit while flush 1 runs; their replies come back in any order.
    const later = [5, 2, 11, 7, 3, 10, 4, 9, 6, 8].map((seq) => commit(seq));
    await settle();
    assert.equal(runs.length, 1, 'no second flush while one is in flight');
    runs[0]?.finish();
    await first;
    await settle();
    assert.equal(runs.length, 2);
    assert.deepEqual(
      { seq: runs[1]?.seq, copied: runs[1]?.copied },
      { seq: 11, copied: 1 },
      'the newest snapshot, past what flush 1 copied',
    );
    assert.deepEqual(done, [1], 'none of the ten goes on before the flush that holds it');
    runs[1]?.finish();
    await Promise.all(later);
    assert.equal(done.length, 11);
    assert.equal(runs.length, 2);
  });

  it('lets a caller whose seq a flush in flight already holds go on after it, with no flush of its own', async () => {
    const { runs, done, commit, settle } = harness();
    const newer = commit(6);
    await settle();
    // The reply of seq 4 comes in after that of seq 6: the flush of 6 holds it.
    const older = commit(4);
    runs[0]?.finish();
    await Promise.all([newer, older]);
    assert.equal(runs.length, 1);
    assert.deepEqual(done.sort(), [4, 6]);
    // Already copied: no flush at all.
    await commit(5);
    assert.equal(runs.length, 1);
  });

  it('keeps sessions apart', async () => {
    const { runs, commit, settle } = harness();
    const a = commit(1, 's-a');
    const b = commit(1, 's-b');
    await settle();
    assert.equal(runs.length, 2);
    for (const run of runs) run.finish();
    await Promise.all([a, b]);
  });

  it('reports a failed flush once, lets its callers go on, and flushes again on the next change', async () => {
    const { runs, failures, done, commit, settle } = harness();
    const callers = [commit(1)];
    await settle();
    callers.push(commit(2), commit(3));
    runs[0]?.fail(new Error('connection lost'));
    await settle();
    // Flush 1 failed; 2 and 3 were waiting for the next flush anyway.
    assert.equal(runs.length, 2);
    assert.deepEqual({ seq: runs[1]?.seq, copied: runs[1]?.copied }, { seq: 3, copied: 0 });
    runs[1]?.fail(new Error('connection lost'));
    await Promise.all(callers);
    assert.deepEqual(done.sort(), [1, 2, 3], 'the change stands: nobody fails');
    assert.deepEqual(failures, ['1: connection lost', '3: connection lost']);
    // The entries stayed in the outbox: the next change's flush copies them from the start.
    const next = commit(4);
    await settle();
    assert.deepEqual({ seq: runs[2]?.seq, copied: runs[2]?.copied }, { seq: 4, copied: 0 });
    runs[2]?.finish();
    await next;
  });
});
