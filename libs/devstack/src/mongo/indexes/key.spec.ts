import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId } from 'bson';
import { encodeValue, extractKeys, formatKey, missingAll } from './key.js';

describe('index keys', () => {
  it('encodes equal values equally and different types differently', () => {
    assert.equal(encodeValue(5), encodeValue(5.0));
    assert.equal(encodeValue(-0), encodeValue(0));
    assert.notEqual(encodeValue('5'), encodeValue(5));
    assert.notEqual(encodeValue(null), encodeValue('z'));
    const id = new ObjectId();
    assert.equal(encodeValue(id), encodeValue(new ObjectId(id.toHexString())));
    assert.notEqual(encodeValue({ a: 1, b: 2 }), encodeValue({ b: 2, a: 1 }));
    assert.notEqual(encodeValue(['a,b']), encodeValue(['a', 'b']));
  });

  it('extracts one key per array element and null for a missing field', () => {
    const keys = extractKeys({ tags: ['x', 'y', 'x'] }, ['tags']);
    assert.deepEqual(
      keys.map((k) => k.values),
      [['x'], ['y']],
    );
    assert.deepEqual(extractKeys({}, ['email'])[0].values, [null]);
  });

  it('extracts nested and compound keys', () => {
    const keys = extractKeys({ a: { b: 1 }, c: [{ d: 2 }, { d: 3 }] }, ['a.b', 'c.d']);
    assert.deepEqual(
      keys.map((k) => k.values),
      [
        [1, 2],
        [1, 3],
      ],
    );
  });

  it('gives array elements lacking the field a null key', () => {
    const keys = extractKeys({ n: [{ c: 1 }, { b: 2 }] }, ['n.b']);
    assert.deepEqual(
      keys.map((k) => k.values),
      [[null], [2]],
    );
  });

  it('detects documents a sparse index skips', () => {
    assert.equal(missingAll({ a: 1 }, ['b']), true);
    assert.equal(missingAll({ b: null }, ['b']), false);
  });

  it('formats duplicate keys like MongoDB', () => {
    assert.equal(formatKey(['email'], ['a@b.c']), '{ email: "a@b.c" }');
    assert.equal(formatKey(['a', 'b'], [1, null]), '{ a: 1, b: null }');
  });
});
