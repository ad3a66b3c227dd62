import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { register } from 'prom-client';
import { LOG_LINES_DROPPED_METRIC, stdoutDestination } from './log-destination.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function droppedSoFar(): Promise<number> {
  const metric = register.getSingleMetric(LOG_LINES_DROPPED_METRIC);
  const value = (await metric?.get())?.values[0]?.value;
  return value ?? 0;
}

// Reads whatever the pipe holds now (the reader is non-blocking: EAGAIN when it is empty).
function drain(fd: number): string {
  const chunk = Buffer.alloc(64 * 1024);
  let text = '';
  for (;;) {
    try {
      const n = readSync(fd, chunk);
      if (n === 0) return text;
      text += chunk.toString('utf8', 0, n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return text;
      throw err;
    }
  }
}

describe('stdoutDestination', () => {
  let dir: string;
  let reader: number;
  let writer: number;

  before(() => {
    // A pipe whose reader stops reading: what a stalled log shipper looks like to the process.
    dir = mkdtempSync(join(tmpdir(), 'sx-log-'));
    const fifo = join(dir, 'stdout');
    execFileSync('mkfifo', [fifo]);
    reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  });
  after(() => {
    closeSync(reader);
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops and counts lines past its bound while stdout stalls, then writes again', async () => {
    const maxBytes = 256 * 1024;
    const destination = stdoutDestination(writer, maxBytes);
    const before = await droppedSoFar();
    const line = `${JSON.stringify({ msg: 'x'.repeat(1000) })}\n`;
    // 2 MiB against a 64 KiB pipe nobody reads and a 256 KiB bound.
    for (let i = 0; i < 2048; i++) destination.write(line);
    const dropped = (await droppedSoFar()) - before;
    assert.ok(dropped > 1000, `dropped ${String(dropped)} lines`);
    assert.ok(dropped < 2048, 'what fitted under the bound was kept');

    // The reader catches up: what was kept arrives, and new lines are written again.
    let received = '';
    for (let i = 0; i < 50 && !received.includes('after'); i++) {
      received += drain(reader);
      if (i === 0) destination.write(`${JSON.stringify({ msg: 'after' })}\n`);
      await sleep(100);
    }
    const lines = received.split('\n').filter((l) => l !== '');
    assert.equal(lines.at(-1), JSON.stringify({ msg: 'after' }));
    assert.equal(lines.length - 1 + dropped, 2048, 'every line was either written or counted');
    assert.equal((await droppedSoFar()) - before, dropped, 'nothing dropped once it caught up');
    destination.flushSync();
    destination.end();
  });
});
