import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { LocalFile, SendOptions } from './options.ts';
import { StateFile, stateKey } from './state.ts';

const files: LocalFile[] = [
  { path: '/home/a/report.pdf', size: 1000, mtimeMs: 1_700_000_000_000 },
  { path: '/home/a/big.bin', size: 20_000_000, mtimeMs: 1_700_000_000_001 },
];
const options: SendOptions = { approve: false, ttlSeconds: 3600 };

describe('stateKey', () => {
  it('is the same for the same command on unchanged files', () => {
    assert.equal(
      stateKey('http://s', files, options),
      stateKey('http://s', [...files], { ...options }),
    );
    assert.match(stateKey('http://s', files, options), /^[0-9a-f]{64}$/);
  });

  it('changes with the server, a file (path, size, mtime, order) or an option', () => {
    const base = stateKey('http://s', files, options);
    const changed = [
      stateKey('http://other', files, options),
      stateKey('http://s', [{ ...files[0], size: 1001 }, files[1]], options),
      stateKey('http://s', [{ ...files[0], mtimeMs: 1 }, files[1]], options),
      stateKey('http://s', [files[0]], options),
      stateKey('http://s', [files[1], files[0]], options),
      stateKey('http://s', files, { ...options, approve: true }),
      stateKey('http://s', files, { ...options, ttlSeconds: 60 }),
      stateKey('http://s', files, { ...options, maxDownloads: 3 }),
      stateKey('http://s', files, { ...options, name: 'x' }),
    ];
    for (const key of changed) assert.notEqual(key, base);
    assert.equal(new Set(changed).size, changed.length);
  });
});

describe('StateFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sx-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { SHAREXPRESS_CONFIG_DIR: dir };

  it('is found again by the same command, private to the user, and starts over on a new session', () => {
    const first = StateFile.open('http://s', files, options, env);
    assert.equal(first.state.sessionId, null);
    first.restart('S1');
    first.state.files[0].fileId = 'F1';
    first.state.files[0].sha256 = 'a'.repeat(64);
    first.save();
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.ok(first.path.startsWith(join(dir, 'sends')));

    const again = StateFile.open('http://s', files, options, env);
    assert.equal(again.state.sessionId, 'S1');
    assert.equal(again.state.files[0]?.fileId, 'F1');
    again.restart('S2');
    // A new session forgets the upload but keeps the hash (the file did not change).
    assert.equal(again.state.files[0]?.fileId, undefined);
    assert.equal(again.state.files[0]?.sha256, 'a'.repeat(64));

    assert.equal(
      StateFile.open('http://s', files, { ...options, approve: true }, env).state.sessionId,
      null,
    );
    again.remove();
    assert.equal(StateFile.open('http://s', files, options, env).state.sessionId, null);
  });
});
