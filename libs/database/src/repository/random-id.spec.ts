import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomId } from './random-id.js';

describe('randomId', () => {
  it('gives 16 base64url characters, none repeated across several pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const id = randomId();
      assert.match(id, /^[A-Za-z0-9_-]{16}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 5_000);
  });
});
