import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { configDir, writePrivateFile } from './config-dir.ts';

describe('configDir', () => {
  test('SHAREXPRESS_CONFIG_DIR wins over everything', () => {
    assert.equal(
      configDir(
        { SHAREXPRESS_CONFIG_DIR: '/x/sx', XDG_CONFIG_HOME: '/xdg', APPDATA: 'C:\\A' },
        'win32',
      ),
      '/x/sx',
    );
  });
  test('then $XDG_CONFIG_HOME/sharexpress, on any platform', () => {
    assert.equal(configDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/u'), '/xdg/sharexpress');
    assert.equal(configDir({ XDG_CONFIG_HOME: '/xdg' }, 'darwin', '/Users/u'), '/xdg/sharexpress');
  });
  test('an empty variable counts as unset', () => {
    assert.equal(
      configDir({ SHAREXPRESS_CONFIG_DIR: '', XDG_CONFIG_HOME: '' }, 'linux', '/home/u'),
      '/home/u/.config/sharexpress',
    );
  });
  test('else the platform default', () => {
    assert.equal(configDir({}, 'linux', '/home/u'), '/home/u/.config/sharexpress');
    assert.equal(
      configDir({}, 'darwin', '/Users/u'),
      '/Users/u/Library/Application Support/sharexpress',
    );
    assert.equal(
      configDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'),
      'C:\\Users\\u\\AppData\\Roaming\\sharexpress',
    );
  });
});

describe('writePrivateFile', { skip: process.platform === 'win32' }, () => {
  const root = mkdtempSync(join(tmpdir(), 'sx-config-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('creates the directory 0700 and the file 0600, whatever the umask', () => {
    const old = process.umask(0o000);
    try {
      const dir = join(root, 'a', 'sharexpress');
      writePrivateFile(join(dir, 'credentials.json'), '{"k":1}\n');
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600);
      assert.equal(readFileSync(join(dir, 'credentials.json'), 'utf8'), '{"k":1}\n');
    } finally {
      process.umask(old);
    }
  });

  test('tightens a file and directory that were open to others, and leaves no temporary file', () => {
    const dir = join(root, 'b');
    writePrivateFile(join(dir, 'f.json'), 'one');
    writeFileSync(join(dir, 'f.json'), 'one', { mode: 0o644 });
    writePrivateFile(join(dir, 'f.json'), 'two');
    assert.equal(statSync(join(dir, 'f.json')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(dir, 'f.json'), 'utf8'), 'two');
    assert.deepEqual(readdirSync(dir), ['f.json']);
  });
});
