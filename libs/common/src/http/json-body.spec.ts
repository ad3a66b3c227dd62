import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLimitExceeded, type JsonLimits } from './json-body.js';

const small: JsonLimits = { maxDepth: 3, maxKeys: 2, maxItems: 3 };
const shallow: JsonLimits = { maxDepth: 3, maxKeys: 100, maxItems: 100 };

describe('jsonLimitExceeded', () => {
  it('counts nesting of objects and arrays, the body itself being level 1', () => {
    assert.equal(jsonLimitExceeded('[[[]]]', shallow), undefined);
    assert.equal(jsonLimitExceeded('{"a":[{}]}', shallow), undefined);
    assert.equal(jsonLimitExceeded('[[[[]]]]', shallow), 'depth');
    assert.equal(jsonLimitExceeded('{"a":{"b":{"c":{}}}}', shallow), 'depth');
    // Siblings do not add up.
    assert.equal(jsonLimitExceeded('[[[]],[[]],[[]]]', shallow), undefined);
  });

  it('counts object keys and array elements over the whole body', () => {
    assert.equal(jsonLimitExceeded('{"a":1,"b":{}}', small), undefined);
    assert.equal(jsonLimitExceeded('{"a":1,"b":{"c":2}}', small), 'keys');
    assert.equal(jsonLimitExceeded('[1,2,3]', small), undefined);
    assert.equal(jsonLimitExceeded('[1,2,3,4]', small), 'items');
    assert.equal(jsonLimitExceeded('[[1],[2]]', small), 'items'); // 2 outer + 2 inner
    assert.equal(jsonLimitExceeded('[[], {}, ""]', small), undefined);
    assert.equal(jsonLimitExceeded('{"a":[],"b":[ ]}', small), undefined);
  });

  it('ignores brackets, colons and commas inside strings, escaped quotes included', () => {
    const tricky = JSON.stringify({ a: '[[[[{{{{:,:,:,', b: '\\"[[[[' });
    assert.equal(jsonLimitExceeded(tricky, small), undefined);
    assert.equal(jsonLimitExceeded('["\\\\", [[[]]]]', shallow), 'depth');
    assert.equal(jsonLimitExceeded('["\\\\", [[]]]', shallow), undefined);
  });

  it('stays linear on a hostile body, and leaves invalid JSON to the parser', () => {
    const deep = `{"x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    assert.equal(jsonLimitExceeded(deep), 'depth');
    assert.equal(jsonLimitExceeded(`"${'a'.repeat(60_000)}`), undefined); // unterminated
    assert.equal(jsonLimitExceeded(']]]}}}{"a":1}'), undefined);
  });
});
