import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateReadConditions, parseRange } from './conditions.js';
import { S3Error } from './errors.js';

const isCode = (code: string) => (e: unknown) => e instanceof S3Error && e.code === code;

describe('parseRange', () => {
  it('handles a-b, a- and -n', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
  });

  it('answers 416 InvalidRange for unsatisfiable ranges', () => {
    assert.throws(() => parseRange('bytes=100-', 100), isCode('InvalidRange'));
    assert.throws(() => parseRange('bytes=100-200', 100), isCode('InvalidRange'));
    assert.throws(() => parseRange('bytes=-0', 100), isCode('InvalidRange'));
    assert.throws(() => parseRange('bytes=0-0', 0), isCode('InvalidRange'));
  });

  it('ignores malformed and multi-range headers (whole object)', () => {
    assert.equal(parseRange(undefined, 10), undefined);
    assert.equal(parseRange('bytes=5-2', 10), undefined);
    assert.equal(parseRange('bytes=0-1,3-4', 10), undefined);
    assert.equal(parseRange('items=0-1', 10), undefined);
  });
});

describe('evaluateReadConditions', () => {
  const object = { etag: '"abc"', lastModified: Date.UTC(2024, 0, 1, 12, 0, 0, 500) };
  const eval_ = (h: Record<string, string>) => evaluateReadConditions((n) => h[n], object);

  it('If-Match / If-None-Match', () => {
    assert.equal(eval_({ 'if-match': '"abc"' }), 'ok');
    assert.throws(() => eval_({ 'if-match': '"other"' }), isCode('PreconditionFailed'));
    assert.equal(eval_({ 'if-none-match': '"abc"' }), 'not-modified');
    assert.equal(eval_({ 'if-none-match': '*' }), 'not-modified');
    assert.equal(eval_({ 'if-none-match': '"zzz"' }), 'ok');
  });

  it('dates, with S3 precedence', () => {
    const same = new Date(object.lastModified).toUTCString();
    const before = new Date(object.lastModified - 60_000).toUTCString();
    assert.equal(eval_({ 'if-modified-since': same }), 'not-modified');
    assert.equal(eval_({ 'if-modified-since': before }), 'ok');
    assert.throws(() => eval_({ 'if-unmodified-since': before }), isCode('PreconditionFailed'));
    // If-Match true overrides a failing If-Unmodified-Since; If-None-Match false overrides If-Modified-Since.
    assert.equal(eval_({ 'if-match': 'abc', 'if-unmodified-since': before }), 'ok');
    assert.equal(eval_({ 'if-none-match': '"zzz"', 'if-modified-since': same }), 'ok');
  });
});
