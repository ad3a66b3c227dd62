import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localName, MAX_NAME_BYTES, splitExtension, uniqueName } from './file-names.ts';

describe('localName', () => {
  it('keeps a plain name as it is', () => {
    assert.equal(localName('Holiday photo.jpg'), 'Holiday photo.jpg');
    assert.equal(localName('résumé 🎉.pdf'), 'résumé 🎉.pdf');
  });

  it('never lets a name leave the output directory', () => {
    assert.equal(localName('../../etc/passwd'), 'passwd');
    assert.equal(localName('..\\..\\boot.ini'), 'boot.ini');
    assert.equal(localName('/abs/path/x.txt'), 'x.txt');
    assert.equal(localName('..'), 'download');
    assert.equal(localName('...'), 'download');
    assert.equal(localName('dir/'), 'download');
    assert.equal(localName('.bashrc'), 'bashrc');
  });

  it('drops control characters, and what Windows refuses on Windows', () => {
    assert.equal(localName('a\u0000b\u001b[2Jc\u009b.txt'), 'ab[2Jc.txt');
    assert.equal(localName('a:b?.txt', 'win32'), 'a_b_.txt');
    assert.equal(localName('a:b?.txt', 'linux'), 'a:b?.txt');
  });

  it('leaves room for the .part suffix, shortening before the extension', () => {
    const name = localName(`${'é'.repeat(200)}.tar.gz`);
    assert.ok(Buffer.byteLength(name) <= MAX_NAME_BYTES);
    assert.ok(name.endsWith('é.tar.gz'));
  });
});

describe('uniqueName', () => {
  const takenOf =
    (...names: string[]) =>
    (name: string) =>
      names.includes(name);

  it('keeps a free name, numbers a taken one before its extension', () => {
    assert.equal(uniqueName('a.txt', takenOf()), 'a.txt');
    assert.equal(uniqueName('a.txt', takenOf('a.txt')), 'a (1).txt');
    assert.equal(uniqueName('a.txt', takenOf('a.txt', 'a (1).txt', 'a (2).txt')), 'a (3).txt');
    assert.equal(uniqueName('README', takenOf('README')), 'README (1)');
    assert.equal(uniqueName('backup.tar.gz', takenOf('backup.tar.gz')), 'backup (1).tar.gz');
  });

  it('stays within the name length limit when numbering a long name', () => {
    const long = `${'x'.repeat(MAX_NAME_BYTES - 4)}.bin`;
    const next = uniqueName(long, takenOf(long));
    assert.ok(Buffer.byteLength(next) <= MAX_NAME_BYTES);
    assert.ok(next.endsWith(' (1).bin'));
  });
});

describe('splitExtension', () => {
  it('splits at the last dot, not a leading one, and keeps .tar.* whole', () => {
    assert.deepEqual(splitExtension('photo.jpg'), ['photo', '.jpg']);
    assert.deepEqual(splitExtension('my.photo.jpg'), ['my.photo', '.jpg']);
    assert.deepEqual(splitExtension('.env'), ['.env', '']);
    assert.deepEqual(splitExtension('a.tar.gz'), ['a', '.tar.gz']);
    assert.deepEqual(splitExtension('notes'), ['notes', '']);
  });
});
