import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContentTypePolicy, parseContentType } from './content-type.js';

describe('parseContentType', () => {
  it('accepts a bare type/subtype and lower-cases it', () => {
    assert.equal(parseContentType('image/png'), 'image/png');
    assert.equal(parseContentType('IMAGE/PNG'), 'image/png');
    assert.equal(parseContentType('Text/Plain'), 'text/plain');
    assert.equal(
      parseContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    assert.equal(parseContentType('application/epub+zip'), 'application/epub+zip');
    assert.equal(parseContentType('application/x-7z-compressed'), 'application/x-7z-compressed');
    assert.equal(parseContentType('video/MP2T'), 'video/mp2t');
    assert.equal(parseContentType('a/b!#$&^_.+-'), 'a/b!#$&^_.+-');
  });

  it('refuses parameters', () => {
    for (const raw of [
      'text/plain; charset=utf-8',
      'text/plain;charset=utf-8',
      'multipart/form-data; boundary=x',
      'audio/ogg; codecs=opus',
    ]) {
      assert.equal(parseContentType(raw), null, raw);
    }
  });

  it('refuses garbage, wildcards and spaces', () => {
    for (const raw of [
      '',
      'png',
      'image/',
      '/png',
      'image//png',
      'image/png/x',
      '*/*',
      'image/*',
      ' image/png',
      'image/png ',
      'image /png',
      'image/png\r\nX-Evil: 1',
      'image/pn"g',
      'image/p\u00E9g',
      '-image/png',
      'image/.png',
      'image/png,text/html',
      `a/${'b'.repeat(128)}`,
    ]) {
      assert.equal(parseContentType(raw), null, JSON.stringify(raw));
    }
    assert.equal(parseContentType(`a/${'b'.repeat(127)}`), `a/${'b'.repeat(127)}`);
  });
});

describe('ContentTypePolicy', () => {
  it('allows everything that is not blocked when the allow list is empty', () => {
    const policy = new ContentTypePolicy([], ['application/x-msdownload']);
    assert.equal(policy.allows('image/png'), true);
    assert.equal(policy.allows('text/html'), true);
    assert.equal(policy.allows('application/x-msdownload'), false);
    assert.equal(policy.allows('APPLICATION/X-MSDOWNLOAD'), false);
  });

  it('allows only the listed types and type/* ranges', () => {
    const policy = new ContentTypePolicy(['image/*', 'application/pdf'], []);
    assert.equal(policy.allows('image/png'), true);
    assert.equal(policy.allows('image/svg+xml'), true);
    assert.equal(policy.allows('application/pdf'), true);
    assert.equal(policy.allows('application/pdfx'), false);
    assert.equal(policy.allows('application/zip'), false);
    assert.equal(policy.allows('imagex/png'), false);
    assert.equal(policy.allows('video/mp4'), false);
  });

  it('lets blocked win over allowed, exact or by range', () => {
    const policy = new ContentTypePolicy(['image/*', 'text/*'], ['image/svg+xml', 'text/*']);
    assert.equal(policy.allows('image/png'), true);
    assert.equal(policy.allows('image/svg+xml'), false);
    assert.equal(policy.allows('text/plain'), false);
    assert.equal(policy.blocks('text/csv'), true);
    assert.equal(policy.blocks('image/png'), false);
  });

  it('never allows what is not a bare type', () => {
    const policy = new ContentTypePolicy([], []);
    assert.equal(policy.allows('image/png'), true);
    assert.equal(policy.allows('image/png; x=1'), false);
    assert.equal(policy.allows('garbage'), false);
    assert.equal(policy.blocks('garbage'), false);
  });

  it('normalizes its entries and refuses malformed ones', () => {
    const policy = new ContentTypePolicy([' Image/* '], ['IMAGE/GIF']);
    assert.equal(policy.allows('image/jpeg'), true);
    assert.equal(policy.allows('image/gif'), false);
    assert.throws(() => new ContentTypePolicy(['*/*'], []), RangeError);
    assert.throws(() => new ContentTypePolicy([], ['text/plain; charset=utf-8']), RangeError);
    assert.throws(() => new ContentTypePolicy([], ['']), RangeError);
  });
});
