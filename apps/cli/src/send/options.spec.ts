import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CliError, EXIT } from '../core/errors.ts';
import { parseDuration, parseSendArgs } from './options.ts';

const usage = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CliError);
    assert.equal(error.exitCode, EXIT.USAGE);
    assert.match(error.message, pattern);
    return true;
  });
};

describe('parseDuration', () => {
  it('reads 30s, 10m, 1h, 2d, plain seconds and compounds', () => {
    assert.equal(parseDuration('30s'), 30);
    assert.equal(parseDuration('10m'), 600);
    assert.equal(parseDuration('1h'), 3600);
    assert.equal(parseDuration('2d'), 172_800);
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration(' 1H '), 3600);
  });

  it('refuses anything else as a usage error', () => {
    for (const bad of ['', 'h', '1x', '1.5h', '-1h', '0', '0s', '1h 30m', '1hour']) {
      usage(() => parseDuration(bad), /--ttl/);
    }
  });
});

describe('parseSendArgs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sx-send-args-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.txt'), 'hello');

  it('takes files relative to the working directory and the options', () => {
    const got = parseSendArgs(
      ['a.txt', '--ttl', '10m', '--downloads', '3', '--approve', '--name', 'Trip'],
      dir,
    );
    assert.equal(got.files.length, 1);
    assert.equal(got.files[0]?.path, join(dir, 'a.txt'));
    assert.equal(got.files[0]?.size, 5);
    assert.deepEqual(got.options, {
      ttlSeconds: 600,
      maxDownloads: 3,
      approve: true,
      name: 'Trip',
    });
  });

  it('refuses a missing file, a directory, no file and a bad option before anything is created', () => {
    usage(() => parseSendArgs(['nope.txt'], dir), /nope\.txt: no such file/);
    usage(() => parseSendArgs(['.'], dir), /is a directory/);
    usage(() => parseSendArgs([], dir), /Nothing to send/);
    usage(() => parseSendArgs(['a.txt', '--downloads', '0'], dir), /--downloads/);
    usage(() => parseSendArgs(['a.txt', '--bogus'], dir), /bogus/);
  });
});
