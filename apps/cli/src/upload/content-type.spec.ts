import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentTypeFor } from './content-type.ts';

describe('contentTypeFor', () => {
  it('declares common types by extension, in any case', () => {
    assert.equal(contentTypeFor('/tmp/report.pdf'), 'application/pdf');
    assert.equal(contentTypeFor('/tmp/Photo.JPG'), 'image/jpeg');
    assert.equal(contentTypeFor('notes.txt'), 'text/plain');
    assert.equal(contentTypeFor('a.tar.gz'), 'application/gzip');
  });

  it('declares anything else application/octet-stream, never an invented type', () => {
    for (const name of ['big.bin', 'Makefile', 'archive.weird', '.bashrc', 'app.exe']) {
      assert.equal(contentTypeFor(name), 'application/octet-stream', name);
    }
  });
});
