import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestIdFrom } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it('keeps a short, plain client id', () => {
    assert.equal(requestIdFrom('abc-123_X.y:z'), 'abc-123_X.y:z');
    assert.equal(requestIdFrom(['first', 'second']), 'first');
  });

  it('replaces missing, long or unsafe ids with a fresh UUID', () => {
    for (const value of [undefined, '', 'x'.repeat(129), 'a b', 'a\nb', '<svg>', 'é']) {
      assert.match(requestIdFrom(value), UUID, JSON.stringify(value));
    }
    assert.notEqual(requestIdFrom(undefined), requestIdFrom(undefined));
  });
});
