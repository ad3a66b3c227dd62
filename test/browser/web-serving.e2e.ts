// The web client as the API serves it (dist/web, built by `npm run build:web`): index.html at /
// and /pair, hashed assets under /assets/, their headers and strict CSP, with OPS_PORT on and
// off, a clear answer when nothing was built, and a Chromium page load that asks no other origin.
import { Global, Module } from '@nestjs/common';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { WEB_DIST_DIR } from '../../apps/api/src/modules/web/index.js';
import { signUp } from '../e2e/auth/auth-client.js';
import { expectProblem } from '../e2e/http/problem-assert.js';
import { withFreePorts } from '../support/ports.js';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/test-app.js';
import {
  api,
  declared,
  expectStatus,
  testBytes,
  type SingleUpload,
} from '../support/upload-client.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];
const WEB_ASSETS = join('dist', 'web', 'assets');
const JS_BUDGET_BYTES = 60 * 1024;

const csp = (storageOrigin: string): string =>
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
  `connect-src 'self' ${storageOrigin}; worker-src 'self'; base-uri 'none'; ` +
  "form-action 'none'; frame-ancestors 'none'";

/** The S3 origin of the devstack the test app talks to (path-style: the endpoint itself). */
const storageOriginOf = (t: TestApp): string => new URL(t.config.s3.publicEndpoint).origin;

function assertWebHeaders(res: Response, t: TestApp, type: string, cache: string): void {
  assert.equal(res.status, 200, res.url);
  assert.equal(res.headers.get('content-type'), type);
  assert.equal(res.headers.get('cache-control'), cache);
  // Exactly one policy: the client's own replaces the API-wide one (fetch would join two).
  assert.equal(res.headers.get('content-security-policy'), csp(storageOriginOf(t)));
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(res.headers.get('x-request-id'));
}

/** The same-origin paths index.html loads: its module script and its stylesheet. */
function assetPaths(html: string): { scripts: string[]; styles: string[] } {
  const scripts = [...html.matchAll(/<script\b[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] ?? '');
  const styles = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map(
    (m) => m[1] ?? '',
  );
  return { scripts, styles };
}

/** A global module handing the web module another dist folder (an empty one: no build). */
function webDistDir(dir: string) {
  @Global()
  @Module({ providers: [{ provide: WEB_DIST_DIR, useValue: dir }], exports: [WEB_DIST_DIR] })
  class WebDistDirModule {}
  return WebDistDirModule;
}

describe('web client served by the API', { timeout: 120_000 }, () => {
  let t: TestApp;

  before(async () => {
    assert.ok(
      existsSync(join('dist', 'web', 'index.html')),
      'dist/web/index.html is missing: run `npm run build:web` (npm test builds it)',
    );
    t = await startTestApp();
  });
  after(async () => {
    await t?.close();
  });

  it('answers / and /pair with index.html: never cached, strict CSP with the storage origin', async () => {
    const home = await fetch(`${t.baseUrl}/`);
    assertWebHeaders(home, t, 'text/html; charset=utf-8', 'no-store');
    const html = await home.text();
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1"/);
    const pair = await fetch(`${t.baseUrl}/pair`);
    assertWebHeaders(pair, t, 'text/html; charset=utf-8', 'no-store');
    assert.equal(await pair.text(), html);
  });

  it('lets the page PUT to where presigned upload URLs point (connect-src)', async () => {
    const owner = await signUp(t.baseUrl);
    const session = await expectStatus<{ id: string }>(
      await api(t.baseUrl, 'POST', '/v1/sessions', owner.accessToken, { name: 'CSP' }),
      201,
    );
    const { upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.accessToken,
      session.id,
      { bytes: testBytes(1000) },
      'single',
    );
    const policy = (await fetch(`${t.baseUrl}/`)).headers.get('content-security-policy') ?? '';
    const connect = /(?:^|; )connect-src ([^;]+)/.exec(policy)?.[1]?.split(' ') ?? [];
    assert.ok(connect.includes(new URL(upload.url).origin), `${upload.url} vs ${policy}`);
  });

  it('serves the hashed script and stylesheet index.html names, immutable, with their types', async () => {
    const { scripts, styles } = assetPaths(await (await fetch(`${t.baseUrl}/`)).text());
    assert.equal(scripts.length, 1, 'one module script');
    assert.equal(styles.length, 1, 'one stylesheet');
    const immutable = 'public, max-age=31536000, immutable';
    for (const [path, type] of [
      ...scripts.map((p) => [p, 'text/javascript; charset=utf-8'] as const),
      ...styles.map((p) => [p, 'text/css; charset=utf-8'] as const),
    ]) {
      assert.match(path, /^\/assets\/[\w-]+-[\w-]{8,}\.(js|css)$/, 'a content-hashed name');
      const res = await fetch(`${t.baseUrl}${path}`);
      assertWebHeaders(res, t, type, immutable);
      assert.equal((await res.arrayBuffer()).byteLength, readFileSync(`dist/web${path}`).length);
    }
  });

  it('compresses text for clients that accept it (br, else gzip)', async () => {
    const [script = ''] = assetPaths(await (await fetch(`${t.baseUrl}/`)).text()).scripts;
    for (const [accept, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const res = await fetch(`${t.baseUrl}${script}`, { headers: { 'accept-encoding': accept } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-encoding'), encoding, accept);
      assert.match(res.headers.get('vary') ?? '', /(^|, )accept-encoding($|,)/);
      // fetch decodes the body: the same script whatever the encoding.
      assert.equal(await res.text(), readFileSync(`dist/web${script}`, 'utf8'));
    }
  });

  it(`ships at most ${String(JS_BUDGET_BYTES / 1024)} KiB of gzipped JavaScript`, () => {
    const scripts = readdirSync(WEB_ASSETS).filter((name) => name.endsWith('.js'));
    assert.ok(scripts.length >= 1);
    const total = scripts.reduce(
      (sum, name) => sum + gzipSync(readFileSync(join(WEB_ASSETS, name)), { level: 9 }).length,
      0,
    );
    assert.ok(total <= JS_BUDGET_BYTES, `${String(total)} bytes gzipped`);
  });

  it('keeps CORS on the assets a module script loads (Origin stays in Vary)', async () => {
    const [script = ''] = assetPaths(await (await fetch(`${t.baseUrl}/`)).text()).scripts;
    const origin = t.config.corsOrigins[0] ?? '';
    const res = await fetch(`${t.baseUrl}${script}`, {
      headers: { origin, 'accept-encoding': 'br' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    const vary = (res.headers.get('vary') ?? '').toLowerCase().split(/,\s*/);
    assert.ok(vary.includes('origin') && vary.includes('accept-encoding'), vary.join(', '));
    await res.body?.cancel();
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await fetch(`${t.baseUrl}/pair`, { method: 'HEAD' });
    assertWebHeaders(res, t, 'text/html; charset=utf-8', 'no-store');
    assert.equal(await res.text(), '');
  });

  it('answers unknown assets and paths with a problem+json 404, other methods with 404 or 405', async () => {
    for (const path of [
      '/assets/nope-12345678.js',
      '/assets/..%2Findex.html',
      '/assets/',
      '/index.html',
      '/pair/extra',
      '/no-such-page',
    ]) {
      const body = await expectProblem(await fetch(`${t.baseUrl}${path}`), 404, 'NOT_FOUND');
      assert.ok(body.detail.length > 0, path);
    }
    const post = await fetch(`${t.baseUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.ok([404, 405].includes(post.status), String(post.status));
    assert.match(post.headers.get('content-type') ?? '', /^application\/problem\+json/);
    await post.body?.cancel();
  });

  it('keeps the pages and assets out of the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, unknown>;
    };
    assert.ok(Object.keys(doc.paths).some((path) => path.startsWith('/v1/')));
    assert.deepEqual(
      Object.keys(doc.paths).filter((path) => /^\/($|pair|assets)/.test(path)),
      [],
    );
  });
});

describe('web client with OPS_PORT on', { timeout: 60_000 }, () => {
  it('is served on PORT as without it, and not on the ops port', async () => {
    await withFreePorts(1, async ([port = 0]) => {
      const t = await startTestApp({ env: { OPS_PORT: String(port) } });
      try {
        const home = await fetch(`${t.baseUrl}/`);
        assertWebHeaders(home, t, 'text/html; charset=utf-8', 'no-store');
        const [script = ''] = assetPaths(await home.text()).scripts;
        assert.equal((await fetch(`${t.baseUrl}${script}`)).status, 200);
        await expectProblem(await fetch(`http://127.0.0.1:${String(port)}/`), 404, 'NOT_FOUND');
      } finally {
        await t.close();
      }
    });
  });
});

describe('web client not built', { timeout: 60_000 }, () => {
  let t: TestApp;
  let empty: string;

  before(async () => {
    empty = await mkdtemp(join(tmpdir(), 'sx-no-web-'));
    const options: TestAppOptions = { extraModules: [webDistDir(`${empty}/`)] };
    t = await startTestApp(options);
  });
  after(async () => {
    await t?.close();
    await rm(empty, { recursive: true, force: true });
  });

  it('starts anyway, and / and /pair say how to build it in a problem+json 404', async () => {
    assert.equal((await fetch(`${t.baseUrl}/health/live`)).status, 200);
    for (const path of ['/', '/pair']) {
      const body = await expectProblem(await fetch(`${t.baseUrl}${path}`), 404, 'NOT_FOUND');
      assert.match(body.detail, /not built.*npm run build:web/, path);
    }
    const signedIn = await signUp(t.baseUrl);
    assert.ok(signedIn.accessToken, 'the API itself works');
  });
});

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium package (.ci/run does) to run the browser test`;

describe('web client in headless Chromium', { skip, timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;

  before(async () => {
    t = await startTestApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const [path, ready] of [
    ['/', 'Sign in'],
    ['/pair', 'Pairing code'],
  ] as const) {
    it(`loads ${path} under its CSP, asking no other origin, with no console error`, async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      try {
        const page = await context.newPage();
        const requests: string[] = [];
        const problems: string[] = [];
        context.on('request', (request) => requests.push(request.url()));
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        await page.goto(`${t.baseUrl}${path}`, { waitUntil: 'networkidle' });
        // The script ran (under script-src 'self'): the first screen is there.
        const screen =
          path === '/' ? page.getByRole('heading', { name: ready }) : page.getByLabel(ready);
        await screen.first().waitFor({ state: 'visible', timeout: 20_000 });
        const foreign = requests.filter(
          (url) => !url.startsWith('data:') && new URL(url).origin !== t.baseUrl,
        );
        assert.deepEqual(foreign, []);
        assert.ok(
          requests.some((url) => /\/assets\/.+\.js$/.test(url)),
          requests.join('\n'),
        );
        assert.ok(
          requests.some((url) => /\/assets\/.+\.css$/.test(url)),
          requests.join('\n'),
        );
        // A CSP violation is a console error; so is a failed script.
        assert.deepEqual(problems, []);
        const colorScheme = await page.evaluate<string>(
          'getComputedStyle(document.documentElement).colorScheme',
        );
        assert.match(colorScheme, /light dark/);
      } finally {
        await context.close();
      }
    });
  }
});
