import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';

// Routes the contract (docs/api.md) lets anyone call. `@Public()` marks an operation with
// `x-public: true` in the OpenAPI document; every other operation must refuse an anonymous call.
const PUBLIC_BY_CONTRACT = [
  /^\/v1\/auth\/(register|login|refresh|logout)$/,
  /^\/\.well-known\/jwks\.json$/,
  /^\/v1\/pairings\/(claim|poll)$/,
  /^\/health\/(live|ready)$/,
  /^\/metrics$/,
];

interface Operation {
  'x-public'?: boolean;
  security?: Record<string, string[]>[];
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('auth: every route in the OpenAPI document refuses anonymous callers unless public', () => {
  let t: TestApp;
  let doc: OpenApi;

  before(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_MAX: '10000' } });
    doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as OpenApi;
  });
  after(async () => {
    await t.close();
  });

  const operations = (): { path: string; method: string; op: Operation }[] =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ path, method, op })),
    );

  it('documents the auth routes', () => {
    const paths = Object.keys(doc.paths);
    for (const path of ['/v1/auth/login', '/v1/auth/me', '/.well-known/jwks.json']) {
      assert.ok(paths.includes(path), `${path} is documented`);
    }
    assert.equal(doc.paths['/v1/auth/me']?.get?.['x-public'], undefined);
    assert.equal(doc.paths['/v1/auth/login']?.post?.['x-public'], true);
  });

  it('marks only contract-public routes public, and the rest as bearer-protected', () => {
    for (const { path, method, op } of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      if (op['x-public'] === true) {
        assert.ok(
          PUBLIC_BY_CONTRACT.some((re) => re.test(path)),
          `${name} is public`,
        );
      } else {
        assert.ok(
          op.security?.some((s) => 'bearer' in s),
          `${name} declares the bearer security scheme`,
        );
      }
    }
  });

  it('answers 401 to an anonymous call on every non-public operation', async () => {
    const protectedOps = operations().filter(({ op }) => op['x-public'] !== true);
    assert.ok(protectedOps.length > 0);
    for (const { path, method } of protectedOps) {
      const url = `${t.baseUrl}${path.replace(/\{[^}]+\}/g, 'aaaaaaaaaaaaaaaaaaaaaaaa')}`;
      const res = await fetch(url, {
        method: method.toUpperCase(),
        ...(method === 'get' || method === 'delete'
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      assert.equal(
        res.status,
        401,
        `${method.toUpperCase()} ${path} answered ${String(res.status)}`,
      );
      await res.body?.cancel();
    }
  });
});
