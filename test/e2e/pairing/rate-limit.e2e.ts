import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { claim, poll } from './pairing-client.js';

// RFC 8628 §5.1: guesses of the short code are bounded per client address.
describe('pairing: claims and polls are rate-limited per client', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({
      env: {
        RATE_LIMIT_AUTH_MAX: '3',
        RATE_LIMIT_POLL_MAX: '5',
        RATE_LIMIT_AUTH_WINDOW_SECONDS: '60',
      },
    });
  });
  after(async () => {
    await t.close();
  });

  it('refuses the claim after RATE_LIMIT_AUTH_MAX attempts with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      await expectProblem(await claim(t.baseUrl, { code: 'BCDF-GHJK' }), 401, 'UNAUTHENTICATED');
    }
    const res = await claim(t.baseUrl, { code: 'BCDF-GHJK' });
    await expectProblem(res, 429, 'RATE_LIMITED');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
  });

  it('allows polls up to RATE_LIMIT_POLL_MAX, a budget of their own', async () => {
    for (let i = 0; i < 5; i++) {
      await expectProblem(await poll(t.baseUrl, 'A'.repeat(43)), 401, 'UNAUTHENTICATED');
    }
    await expectProblem(await poll(t.baseUrl, 'A'.repeat(43)), 429, 'RATE_LIMITED');
  });
});
