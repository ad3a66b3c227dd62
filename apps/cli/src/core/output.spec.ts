import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createOutput, formatBytes, renderBar } from './output.ts';

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { isTTY, columns: 80, write: (t: string) => chunks.push(t), text: () => chunks.join('') };
};

describe('createOutput', () => {
  test('--json: stdout holds only JSON lines; human text and bars are dropped', () => {
    const out = sink(false);
    const err = sink(true);
    const o = createOutput(true, out, err);
    o.info('hello');
    o.progress('f1', 'a.txt', 5, 10);
    o.done('f1');
    o.event({ event: 'uploaded', n: 1 });
    o.result({ event: 'done', files: 2 });
    assert.equal(err.text(), '');
    const lines = out
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(lines, [
      { event: 'uploaded', n: 1 },
      { event: 'done', files: 2 },
    ]);
  });

  test('human: results on stdout, messages on stderr, no JSON events', () => {
    const out = sink(false);
    const err = sink(false);
    const o = createOutput(false, out, err);
    o.info('Uploading 2 files');
    o.event({ event: 'progress' });
    o.result('Code: ABCD-EFGH');
    assert.equal(out.text(), 'Code: ABCD-EFGH\n');
    assert.equal(err.text(), 'Uploading 2 files\n');
  });

  test('no progress bars when stderr is not a terminal', () => {
    const err = sink(false);
    const o = createOutput(false, sink(false), err);
    o.progress('f1', 'a.txt', 5, 10);
    o.done('f1');
    assert.equal(err.text(), '');
  });

  test('on a terminal a bar is drawn, and a message is printed above it', () => {
    const err = sink(true);
    const o = createOutput(false, sink(false), err);
    o.progress('f1', 'a.txt', 512, 1024);
    o.info('note');
    o.done('f1');
    const text = err.text();
    assert.match(text, /a\.txt \[#+-+\] {2}50% 512 B\/1\.0 KiB\n/);
    assert.match(text, /note\n/);
    // The finished bar stays, at 100 %.
    assert.match(text, /a\.txt \[#+\] 100% 1\.0 KiB\/1\.0 KiB\n$/);
  });
});

test('renderBar and formatBytes', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
  const bar = renderBar({ label: 'x', done: 0, total: 0 }, 80);
  assert.match(bar, /100%/); // an empty file is complete
});
