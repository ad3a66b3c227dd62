import assert from 'node:assert/strict';
import { ERROR_STATUS, type ErrorCode } from '@app/common';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';

const ALLOWED_ORIGIN = 'https://app.example.com';

describe('HTTP surface: request ids, security headers, CORS, docs, metrics, health', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: ALLOWED_ORIGIN } });
  });
  after(async () => {
    await t.close();
  });

  it('echoes a sane x-request-id and generates one otherwise', async () => {
    const echoed = await fetch(`${t.baseUrl}/health/live`, {
      headers: { 'x-request-id': 'abc-123.x' },
    });
    assert.equal(echoed.headers.get('x-request-id'), 'abc-123.x');

    const generated = await fetch(`${t.baseUrl}/health/live`);
    const id = generated.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    const other = await fetch(`${t.baseUrl}/health/live`);
    assert.notEqual(other.headers.get('x-request-id'), id);

    for (const unsafe of ['a b', 'x'.repeat(200), '<script>']) {
      const res = await fetch(`${t.baseUrl}/health/live`, { headers: { 'x-request-id': unsafe } });
      assert.notEqual(res.headers.get('x-request-id'), unsafe);
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    }
  });

  it('sends security headers', async () => {
    const res = await fetch(`${t.baseUrl}/health/live`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.ok(res.headers.get('strict-transport-security'));
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  it('answers a CORS preflight from an allowed origin, not from a foreign one', async () => {
    const preflight = (origin: string) =>
      fetch(`${t.baseUrl}/health/live`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const ok = await preflight(ALLOWED_ORIGIN);
    assert.ok(ok.status === 204 || ok.status === 200, String(ok.status));
    assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);

    const foreign = await preflight('https://evil.example.net');
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);

    const simple = await fetch(`${t.baseUrl}/health/live`, { headers: { origin: ALLOWED_ORIGIN } });
    assert.equal(simple.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.match(simple.headers.get('access-control-expose-headers') ?? '', /x-request-id/i);
  });

  it('serves a valid OpenAPI 3 document and Swagger UI under the CSP', async () => {
    const res = await fetch(`${t.baseUrl}/docs-json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    assert.match(doc.openapi, /^3\./);
    assert.equal(doc.info.title, 'Sharexpress');
    assert.ok(doc.paths['/health/ready']?.get, 'health route documented');
    assert.ok(doc.paths['/metrics']?.get, 'metrics route documented');
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const responses = Object.keys(operation.responses ?? {});
        assert.ok(responses.length > 0, `${method.toUpperCase()} ${path} has responses`);
      }
    }
    assert.ok(doc.components.schemas.Problem, 'problem+json schema');
    assert.ok(Object.keys(doc.components.securitySchemes).length > 0, 'bearer scheme');
    assertEveryErrorHasItsBody(doc.paths);

    const ui = await fetch(`${t.baseUrl}/docs`);
    assert.equal(ui.status, 200);
    const html = await ui.text();
    assert.match(html, /swagger-ui/);
    // Every script Swagger UI loads is same-origin, which the CSP allows.
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(scripts.length > 0);
    assert.match(ui.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    for (const src of scripts) {
      assert.doesNotMatch(src, /^https?:/);
      const asset = await fetch(new URL(src, `${t.baseUrl}/docs`));
      assert.equal(asset.status, 200, src);
      // Read it all: an unread multi-megabyte body would keep the response (and close()) open.
      assert.ok((await asset.arrayBuffer()).byteLength > 0);
    }
  });

  it('exposes the request histogram by route template on /metrics', async () => {
    await (await fetch(`${t.baseUrl}/health/live`)).text();
    await (await fetch(`${t.baseUrl}/no/such/route/12345`)).text();
    const res = await fetch(`${t.baseUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /# TYPE http_request_duration_seconds histogram/);
    assert.match(
      text,
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} \d+/,
    );
    assert.match(text, /route="unmatched",status_code="404"/);
    assert.doesNotMatch(text, /12345/);
    assert.match(text, /process_cpu_user_seconds_total/);
  });

  it('reports liveness and readiness (mongo and storage up)', async () => {
    const live = await fetch(`${t.baseUrl}/health/live`);
    assert.equal(live.status, 200);
    assert.equal(((await live.json()) as { status: string }).status, 'ok');

    const ready = await fetch(`${t.baseUrl}/health/ready`);
    const body = (await ready.json()) as {
      status: string;
      details: Record<string, { status: string }>;
    };
    assert.equal(ready.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'ok');
    assert.equal(body.details.mongo?.status, 'up');
    assert.equal(body.details.storage?.status, 'up');
  });
});

interface DocumentedResponse {
  description?: string;
  content?: Record<string, { schema?: unknown; examples?: Record<string, { value: ProblemLike }> }>;
}
interface ProblemLike {
  status: number;
  code: string;
}

// Every operation has a summary; every error response it declares shows the problem+json body,
// with examples whose code belongs to that very status (a 410 never shows a 404's code).
function assertEveryErrorHasItsBody(
  paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>>,
): void {
  let checked = 0;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const name = `${method.toUpperCase()} ${path}`;
      assert.ok((operation.summary ?? '').length > 0, `${name} has a summary`);
      for (const [key, value] of Object.entries(operation.responses ?? {})) {
        const status = Number(key);
        if (!(status >= 400)) continue;
        const content = (value as DocumentedResponse).content ?? {};
        // Health answers its 503 in Terminus's format, which probes read.
        if (path.startsWith('/health/') && content['application/json']) continue;
        const body = content['application/problem+json'];
        assert.ok(body?.schema, `${name} ${key} has the problem+json schema`);
        const examples = Object.values(body.examples ?? {});
        for (const { value: problem } of examples) {
          assert.equal(problem.status, status, `${name} ${key} example ${problem.code}`);
          assert.equal(ERROR_STATUS[problem.code as ErrorCode], status, `${name} ${key} code`);
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 20, `error responses checked: ${String(checked)}`);
}
