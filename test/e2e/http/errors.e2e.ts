import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from './problem-assert.js';
import { ProbeModule } from './probe.module.js';

describe('HTTP errors are problem+json', () => {
  let t: TestApp;
  const post = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${t.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  before(async () => {
    t = await startTestApp({ extraModules: [ProbeModule] });
  });
  after(async () => {
    await t.close();
  });

  it('malformed JSON → 400 BAD_REQUEST', async () => {
    await expectProblem(await post('/test-probe/echo', '{"email": '), 400, 'BAD_REQUEST');
  });

  it('unknown route → 404 NOT_FOUND', async () => {
    const body = await expectProblem(await fetch(`${t.baseUrl}/v1/nothing-here`), 404, 'NOT_FOUND');
    assert.equal(body.title, 'Not found');
  });

  it('body over 64 KiB → 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(70 * 1024) });
    await expectProblem(await post('/test-probe/echo', big), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('anything but JSON → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['text/csv', 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await post('/test-probe/echo', 'email=a@example.com', type);
      await expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('a malformed URL → 400 BAD_REQUEST', async () => {
    await expectProblem(await fetch(`${t.baseUrl}/test-probe/echo/%E0%A4%A`), 400, 'BAD_REQUEST');
  });

  it('a JSON body that is not an object → 400 VALIDATION_FAILED', async () => {
    for (const body of ['"a string"', '[1,2]', 'null']) {
      await expectProblem(await post('/test-probe/echo', body), 400, 'VALIDATION_FAILED');
    }
  });

  it('prototype poisoning attempts → 400 BAD_REQUEST', async () => {
    const res = await post(
      '/test-probe/echo',
      '{"__proto__":{"admin":true},"email":"a@example.com"}',
    );
    await expectProblem(res, 400, 'BAD_REQUEST');
  });

  it('unknown field → 400 VALIDATION_FAILED naming the field', async () => {
    const res = await post(
      '/test-probe/echo',
      JSON.stringify({ email: 'a@example.com', admin: true }),
    );
    const body = await expectProblem(res, 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      body.errors?.map((e) => e.field),
      ['admin'],
    );
  });

  it('unknown field on a real route (POST /v1/auth/register) → 400 VALIDATION_FAILED', async () => {
    const res = await post(
      '/v1/auth/register',
      JSON.stringify({ email: 'new@example.com', password: 'long enough pw', role: 'admin' }),
    );
    const body = await expectProblem(res, 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      body.errors?.map((e) => e.field),
      ['role'],
    );
  });

  it('invalid values → one error per field, without echoing the values', async () => {
    const res = await post('/test-probe/echo', JSON.stringify({ email: 'hunter2', name: 42 }));
    const body = await expectProblem(res, 400, 'VALIDATION_FAILED');
    assert.deepEqual([...new Set(body.errors?.map((e) => e.field))].sort(), ['email', 'name']);
    assert.doesNotMatch(JSON.stringify(body), /hunter2/);
  });

  it('valid body passes the pipe', async () => {
    const res = await post('/test-probe/echo', JSON.stringify({ email: 'a@example.com' }));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { email: 'a@example.com' });
  });

  it('an unexpected error → 500 INTERNAL with nothing of its internals', async () => {
    const res = await fetch(`${t.baseUrl}/test-probe/crash`);
    const body = await expectProblem(res, 500, 'INTERNAL');
    assert.doesNotMatch(JSON.stringify(body), /secret|\/srv|TypeError|stack/);
  });

  it('429 and 503 carry Retry-After', async () => {
    const busy = await fetch(`${t.baseUrl}/test-probe/busy`);
    assert.equal(busy.headers.get('retry-after'), '7');
    await expectProblem(busy, 429, 'RATE_LIMITED');
    const down = await fetch(`${t.baseUrl}/test-probe/storage-down`);
    assert.match(down.headers.get('retry-after') ?? '', /^\d+$/);
    await expectProblem(down, 503, 'STORAGE_UNAVAILABLE');
  });
});
