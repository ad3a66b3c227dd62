// The /pair page over HTTP: its three responses, their headers, and that the HTML loads only
// what this origin serves. The browser test next to it drives the page itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

describe('/pair page: served by the API under a strict CSP', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  const assertPageHeaders = (res: Response, type: string, cache: string): void => {
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), `${type}; charset=utf-8`);
    // Exactly one policy: the page's own replaces the API-wide one (fetch would join two).
    assert.equal(res.headers.get('content-security-policy'), CSP);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), cache);
    assert.ok(res.headers.get('x-request-id'));
  };

  it('answers GET /pair with the HTML page, never cached', async () => {
    const res = await fetch(`${t.baseUrl}/pair`);
    assertPageHeaders(res, 'text/html', 'no-store');
    const html = await res.text();
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /name="viewport"/);
  });

  it('serves every script and stylesheet the HTML names, from this origin, with the same headers', async () => {
    const html = await (await fetch(`${t.baseUrl}/pair`)).text();
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] ?? '');
    const styles = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(
      (m) => m[1] ?? '',
    );
    assert.deepEqual(scripts, ['/pair/pair.js']);
    assert.deepEqual(styles, ['/pair/pair.css']);
    for (const [path, type] of [
      ...scripts.map((s) => [s, 'text/javascript'] as const),
      ...styles.map((s) => [s, 'text/css'] as const),
    ]) {
      const url = new URL(path, `${t.baseUrl}/pair`);
      assert.equal(url.origin, t.baseUrl);
      const res = await fetch(url);
      assertPageHeaders(res, type, 'no-cache');
      assert.ok((await res.text()).length > 100);
    }
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await fetch(`${t.baseUrl}/pair`, { method: 'HEAD' });
    assertPageHeaders(res, 'text/html', 'no-store');
    assert.equal(await res.text(), '');
  });

  it('answers an unknown asset with a problem+json 404, and a POST with 404 or 405', async () => {
    const missing = await fetch(`${t.baseUrl}/pair/other.js`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /^application\/problem\+json/);
    await missing.body?.cancel();
    const post = await fetch(`${t.baseUrl}/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.ok([404, 405].includes(post.status), String(post.status));
    assert.match(post.headers.get('content-type') ?? '', /^application\/problem\+json/);
    await post.body?.cancel();
  });

  it('keeps the page out of the OpenAPI document, which lists JSON routes only', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, unknown>;
    };
    assert.deepEqual(
      Object.keys(doc.paths).filter((path) => path.startsWith('/pair')),
      [],
    );
  });
});
