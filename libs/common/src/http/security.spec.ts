import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helmetHeaders } from './security.js';

describe('helmetHeaders', () => {
  it("gives helmet's headers for our policy, worked out once", () => {
    const headers = new Map(helmetHeaders());
    assert.equal(headers.get('x-content-type-options'), 'nosniff');
    assert.equal(headers.get('cross-origin-resource-policy'), 'same-site');
    assert.match(headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    assert.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.match(headers.get('content-security-policy') ?? '', /object-src 'none'/);
    assert.equal(headers.has('x-powered-by'), false);
  });

  it('refuses a policy helmet refuses, at start-up rather than per request', () => {
    assert.throws(() =>
      helmetHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ['self'] } } }),
    );
  });
});
