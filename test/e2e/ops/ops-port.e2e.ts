// OPS_PORT takes /metrics and the docs off the API's PORT, so whatever routes PORT to the internet
// (an Ingress, the compose proxy) cannot expose them: on PORT they are unknown routes (404
// problem+json), on OPS_PORT they answer as they did on PORT. Health stays on PORT, where the
// probes look. DOCS_ENABLED=false turns the docs off wherever they would be served.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { startTestApp, type TestApp, type TestAppOptions } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { ProbeModule } from '../http/probe.module.js';
import { withFreePorts } from './ops-helpers.js';

const DOCS_PATHS = ['/docs', '/docs-json', '/docs-yaml'];

interface OpsApp {
  t: TestApp;
  opsUrl: string;
}

/** The API with OPS_PORT on a free port (another one if it was taken in between). */
const startWithOpsPort = (options: TestAppOptions): Promise<OpsApp> =>
  withFreePorts(1, async ([port = 0]) => {
    const t = await startTestApp({ ...options, env: { ...options.env, OPS_PORT: String(port) } });
    return { t, opsUrl: `http://127.0.0.1:${String(port)}` };
  });

/** Asserts the answer of an unknown route (404 problem+json NOT_FOUND), naming `url` if not. */
async function assertUnknownRoute(url: string): Promise<void> {
  try {
    await expectProblem(await fetch(url), 404, 'NOT_FOUND');
  } catch (err) {
    if (err instanceof assert.AssertionError) err.message = `${url}: ${err.message}`;
    throw err;
  }
}

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, unknown>;
}

async function swaggerScripts(docsUrl: string): Promise<string[]> {
  const ui = await fetch(docsUrl);
  assert.equal(ui.status, 200);
  assert.match(ui.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const html = await ui.text();
  assert.match(html, /swagger-ui/);
  const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1] ?? '');
  assert.ok(scripts.length > 0, html);
  return scripts;
}

describe('OPS_PORT: /metrics and the docs off the public port', () => {
  let backends: TestBackends;
  before(async () => {
    backends = await startTestBackends();
  });
  after(async () => {
    await backends.stop();
  });

  describe('with OPS_PORT set', () => {
    let ops: OpsApp;
    before(async () => {
      ops = await startWithOpsPort({ backends });
    });
    after(async () => {
      await ops.t.close();
    });

    it('answers /metrics and the docs on PORT as unknown routes, like any other', async () => {
      for (const path of ['/metrics', ...DOCS_PATHS, '/no/such/route']) {
        await assertUnknownRoute(`${ops.t.baseUrl}${path}`);
      }
      // Swagger UI's assets are not on PORT either.
      for (const src of await swaggerScripts(`${ops.opsUrl}/docs`)) {
        const asset = new URL(src, `${ops.opsUrl}/docs`);
        await assertUnknownRoute(`${ops.t.baseUrl}${asset.pathname}`);
      }
    });

    it('keeps health on PORT, where the probes look, and not on OPS_PORT', async () => {
      assert.equal((await fetch(`${ops.t.baseUrl}/health/live`)).status, 200);
      const ready = await fetch(`${ops.t.baseUrl}/health/ready`);
      assert.equal(ready.status, 200, await ready.text());
      await assertUnknownRoute(`${ops.opsUrl}/health/live`);
      await assertUnknownRoute(`${ops.opsUrl}/health/ready`);
    });

    it('serves the Prometheus text on OPS_PORT', async () => {
      const res = await fetch(`${ops.opsUrl}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const text = await res.text();
      assert.match(text, /# TYPE http_request_duration_seconds histogram/);
      assert.match(text, /process_cpu_user_seconds_total/);
      assert.match(text, /sharexpress_sessions_created_total/);
    });

    it('serves Swagger UI and the document of PORT’s routes on OPS_PORT', async () => {
      const json = await fetch(`${ops.opsUrl}/docs-json`);
      assert.equal(json.status, 200);
      const doc = (await json.json()) as OpenApiDoc;
      assert.match(doc.openapi, /^3\./);
      assert.ok(doc.paths['/v1/sessions'], 'the API routes are documented');
      assert.ok(doc.paths['/health/ready'], 'health (on PORT) is documented');
      // It describes PORT, which no longer serves /metrics.
      assert.equal(doc.paths['/metrics'], undefined);
      const yaml = await fetch(`${ops.opsUrl}/docs-yaml`);
      assert.equal(yaml.status, 200);
      assert.match(await yaml.text(), /^openapi: 3\./m);
      for (const src of await swaggerScripts(`${ops.opsUrl}/docs`)) {
        const asset = await fetch(new URL(src, `${ops.opsUrl}/docs`));
        assert.equal(asset.status, 200, src);
        assert.ok((await asset.arrayBuffer()).byteLength > 0);
      }
      // The ops listener answers in the API's formats too.
      await assertUnknownRoute(`${ops.opsUrl}/v1/sessions`);
    });
  });

  it('without OPS_PORT serves /metrics and the docs on PORT, as before', async () => {
    const t = await startTestApp({ backends });
    try {
      const metrics = await fetch(`${t.baseUrl}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /# TYPE http_request_duration_seconds histogram/);
      const doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as OpenApiDoc;
      assert.ok(doc.paths['/metrics'], '/metrics is a documented route of PORT');
      assert.equal((await fetch(`${t.baseUrl}/docs-yaml`)).status, 200);
      await swaggerScripts(`${t.baseUrl}/docs`);
    } finally {
      await t.close();
    }
  });

  it('DOCS_ENABLED=false serves no docs, on PORT or OPS_PORT; /metrics stays', async () => {
    const t = await startTestApp({ backends, env: { DOCS_ENABLED: 'false' } });
    try {
      for (const path of DOCS_PATHS) await assertUnknownRoute(`${t.baseUrl}${path}`);
      assert.equal((await fetch(`${t.baseUrl}/metrics`)).status, 200);
    } finally {
      await t.close();
    }
    const ops = await startWithOpsPort({ backends, env: { DOCS_ENABLED: 'false' } });
    try {
      for (const path of DOCS_PATHS) {
        await assertUnknownRoute(`${ops.opsUrl}${path}`);
        await assertUnknownRoute(`${ops.t.baseUrl}${path}`);
      }
      assert.equal((await fetch(`${ops.opsUrl}/metrics`)).status, 200);
    } finally {
      await ops.t.close();
    }
  });

  it('on close, keeps /metrics answering while PORT drains, then closes OPS_PORT too', async () => {
    const ops = await startWithOpsPort({ backends, extraModules: [ProbeModule] });
    try {
      // The probe route takes 800 ms: close() waits for it.
      const inFlight = fetch(`${ops.t.baseUrl}/test-probe/slow`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closing = ops.t.app.close();
      let closed = false;
      void closing.then(() => (closed = true));
      const scrape = await fetch(`${ops.opsUrl}/metrics`);
      assert.equal(scrape.status, 200);
      assert.match(await scrape.text(), /http_request_duration_seconds/);
      assert.equal(closed, false, 'scraped while PORT was still draining');
      const slow = await inFlight;
      assert.equal(slow.status, 200);
      assert.deepEqual(await slow.json(), { done: true });
      await closing;
      await assert.rejects(fetch(`${ops.opsUrl}/metrics`), 'OPS_PORT closed with the app');
      await assert.rejects(fetch(`${ops.t.baseUrl}/health/live`));
    } finally {
      await ops.t.close();
    }
  });
});
