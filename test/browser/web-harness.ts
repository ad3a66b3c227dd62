// The web client in Debian's headless Chromium against a real API on the devstack, for browser
// tests (the desktop + phone flow, accessibility, resumed uploads).
//
//   const h = await startWebHarness();                 // API at PUBLIC_URL = h.baseUrl, bucket CORS for it
//   const desktop = await h.desktop();                 // 1280x800 context
//   const phone = await h.phone();                     // Pixel 7: touch, mobile, 412x839
//   const shots = new Artifacts('web flow');           // test-artifacts/browser/web-flow/NN-step.png
//   await shots.shot(page, 'desktop-signed-up');
//   const url = await decodeQrElement(page.getByRole('img', { name: 'QR code to pair a device' }));
//   const violations = await runAxe(page);             // wcag2a + wcag2aa, CSP left in force
//   await h.close();                                   // browser, app, worker, backends
//
// The API listens on a port picked beforehand so that PUBLIC_URL (the origin in pairingUrl, the
// origin the bucket's CORS rules admit, the origin of the page) is the address the browser opens.
import { loadConfig, type AppConfig } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  chromium,
  devices,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { createApiApp } from '../../apps/api/src/bootstrap.js';
import { ensureBucket } from '../../libs/devstack/src/embedded/bucket-setup.js';
import { startWorkerProcess, type WorkerProcess } from '../e2e/worker/worker-process.js';
import { startTestBackends, type TestBackends } from '../support/backends.js';
import { withFreePorts } from '../support/ports.js';
import { decodeQr } from '../support/qr.js';
import { dropDatabase, testEnv } from '../support/test-app.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

/** For `describe(…, { skip: browserSkip })`: false, or why the browser tests cannot run here. */
export const browserSkip: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium package (.ci/run does) to run the browser tests`;

/** A laptop screen. */
export const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
  deviceScaleFactor: 1,
};

/** A phone: Pixel 7 (412x839 viewport, touch, mobile user agent). */
export const PHONE: BrowserContextOptions = { ...devices['Pixel 7'] };

/** What the phone's page derives as its device name from that user agent. */
export const PHONE_DEVICE_NAME = 'Chrome on Android';

export interface WebHarnessOptions {
  /** Extra or overriding API environment variables (over testEnv's and the harness's own). */
  env?: Record<string, string>;
  /**
   * Also run the compiled worker (dist/apps/worker/src/main.js) on the same database and
   * bucket: multipart uploads end `ready` only once it has verified them. `true` for its
   * defaults (verify-uploads every 2 s), or the extra environment it gets.
   */
  worker?: boolean | Record<string, string>;
}

export interface WebHarness {
  /** `http://127.0.0.1:<port>`: PUBLIC_URL, the page's origin, no trailing slash. */
  baseUrl: string;
  /** The origin of presigned URLs (the devstack's S3), which the page uploads to directly. */
  storageOrigin: string;
  app: NestFastifyApplication;
  config: AppConfig;
  backends: TestBackends;
  browser: Browser;
  worker?: WorkerProcess;
  /** A new 1280x800 context (options override DESKTOP). */
  desktop(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A new Pixel 7 context (options override PHONE). */
  phone(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Closes the browser, the worker, the app and the backends. */
  close(): Promise<void>;
}

/** Lenient limits: a browser test makes many requests from one address in a short time. */
const HARNESS_ENV: Record<string, string> = {
  RATE_LIMIT_MAX: '100000',
  RATE_LIMIT_AUTH_MAX: '1000',
  RATE_LIMIT_POLL_MAX: '1000',
  PAIRING_POLL_INTERVAL_SECONDS: '1',
};

/** Headless Debian Chromium as every browser test launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export async function startWebHarness(options: WebHarnessOptions = {}): Promise<WebHarness> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const backends = await startTestBackends();
    cleanups.push(() => backends.stop());
    const dataDir = await mkdtemp(join(tmpdir(), 'sx-web-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const { app, config, baseUrl } = await withFreePorts(1, async ([port = 0]) => {
      const origin = `http://127.0.0.1:${String(port)}`;
      const cfg = loadConfig({
        ...testEnv(backends, dataDir),
        ...HARNESS_ENV,
        PORT: String(port),
        PUBLIC_URL: origin,
        ...options.env,
      });
      const started = await createApiApp(cfg);
      try {
        await started.listen(port, '127.0.0.1');
      } catch (err) {
        await started.close().catch(() => undefined);
        throw err;
      }
      return { app: started, config: cfg, baseUrl: origin };
    });
    cleanups.push(async () => {
      await app.close();
      if (backends.external.mongo) await dropDatabase(config.mongo.uri);
    });

    // As the launcher does at `npm start`: the bucket admits PUBLIC_URL's (and CORS_ORIGINS')
    // origin, so the page may PUT uploads and GET downloads straight from storage.
    const { s3 } = backends;
    await ensureBucket(
      {
        endpoint: s3.endpoint,
        region: s3.region,
        bucket: s3.bucket,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      },
      [config.publicUrl, ...config.corsOrigins].map((url) => new URL(url).origin),
    );

    let worker: WorkerProcess | undefined;
    if (options.worker !== undefined && options.worker !== false) {
      const workerDir = join(dataDir, 'worker');
      await mkdir(workerDir);
      worker = await startWorkerProcess('web-harness', {
        ...testEnv(backends, workerDir),
        MONGODB_URI: config.mongo.uri,
        PUBLIC_URL: baseUrl,
        ...(options.worker === true ? {} : options.worker),
      });
      const started = worker;
      cleanups.push(() => started.stop());
    }

    const browser = await launchChromium();
    cleanups.push(() => browser.close());

    return {
      baseUrl,
      storageOrigin: new URL(config.s3.publicEndpoint).origin,
      app,
      config,
      backends,
      browser,
      worker,
      desktop: (extra = {}) => browser.newContext({ ...DESKTOP, ...extra }),
      phone: (extra = {}) => browser.newContext({ ...PHONE, ...extra }),
      close: cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

// ---- Screenshots -------------------------------------------------------------------------

/** Where screenshots go: TEST_ARTIFACTS_DIR, else test-artifacts/ under the working directory. */
export const ARTIFACTS_ROOT = resolve(
  process.env.TEST_ARTIFACTS_DIR?.trim() || 'test-artifacts',
  'browser',
);

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/**
 * Numbered full-page screenshots of one test, in the order taken:
 * test-artifacts/browser/<test name>/01-<step>.png, 02-…
 */
export class Artifacts {
  readonly dir: string;
  private count = 0;
  private ready: Promise<unknown> | undefined;

  constructor(testName: string) {
    this.dir = join(ARTIFACTS_ROOT, slug(testName));
  }

  /** Saves a screenshot of `page` as the next step; returns its path. */
  async shot(page: Page, step: string): Promise<string> {
    // The old run's pictures go first, so the folder shows this run only.
    this.ready ??= rm(this.dir, { recursive: true, force: true }).then(() =>
      mkdir(this.dir, { recursive: true }),
    );
    await this.ready;
    this.count += 1;
    const path = join(this.dir, `${String(this.count).padStart(2, '0')}-${slug(step)}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  }
}

// ---- QR codes ----------------------------------------------------------------------------

/** The text of the QR code an element shows (e.g. the `<img>`), read from its screenshot by zbarimg. */
export async function decodeQrElement(element: Locator): Promise<string> {
  await element.waitFor({ state: 'visible' });
  // Decoded as the page paints it: the image must have loaded and have a size.
  await element.evaluate((img) =>
    (img as { decode?: () => Promise<void> }).decode?.().catch(() => undefined),
  );
  return decodeQr(await element.screenshot({ animations: 'disabled' }), 'png');
}

// ---- Accessibility -----------------------------------------------------------------------

export type AxeImpact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface AxeViolation {
  id: string;
  impact: AxeImpact | null;
  help: string;
  helpUrl: string;
  /** CSS selectors and failure summaries of the offending nodes. */
  nodes: { target: string[]; failureSummary: string }[];
}

/** The part of axe-core's page global the runner uses (the project has no DOM types). */
interface AxeGlobal {
  axe: {
    run(options: {
      runOnly: { type: 'tag'; values: readonly string[] };
      resultTypes: string[];
    }): Promise<{
      violations: {
        id: string;
        impact?: AxeImpact | null;
        help: string;
        helpUrl: string;
        nodes: { target: unknown[]; failureSummary?: string }[];
      }[];
    }>;
  };
}

const AXE_SOURCE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: Promise<string> | undefined;

/**
 * axe-core's violations of `tags` (WCAG 2 A and AA by default) on the page as it is now.
 *
 * axe is evaluated through the DevTools protocol (page.evaluate), which the page's CSP
 * (`script-src 'self'`) does not govern, so the page is checked with its real CSP in force: an
 * inline <script> (addScriptTag with content) would be refused by that CSP, and bypassCSP would
 * check a page the product never serves.
 */
export async function runAxe(
  page: Page,
  tags: readonly string[] = ['wcag2a', 'wcag2aa'],
): Promise<AxeViolation[]> {
  axeSource ??= readFile(AXE_SOURCE_PATH, 'utf8');
  const source = await axeSource;
  const loaded = await page.evaluate<boolean>('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(`${source}\n;undefined`);
  return page.evaluate(async (values) => {
    const { axe } = globalThis as unknown as AxeGlobal;
    const result = await axe.run({
      runOnly: { type: 'tag', values },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String),
        failureSummary: n.failureSummary ?? '',
      })),
    }));
  }, tags);
}

/** The violations a user is badly hurt by: impact serious or critical. */
export const seriousViolations = (violations: readonly AxeViolation[]): AxeViolation[] =>
  violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** One line per violation, and one per offending node, for a test's output. */
export function formatViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `[${v.impact ?? 'n/a'}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n'),
    )
    .join('\n');
}

// ---- What a page did ---------------------------------------------------------------------

/** Console errors, uncaught errors and requests to another origin than the app's. */
export interface PageWatch {
  consoleErrors: string[];
  pageErrors: string[];
  foreignRequests: string[];
}

/**
 * Records what `page` did that a test may forbid. `allowedOrigins` are origins besides `origin`
 * the page may reach (the storage endpoint for uploads and downloads).
 */
export function watchPage(
  page: Page,
  origin: string,
  allowedOrigins: readonly string[] = [],
): PageWatch {
  const watch: PageWatch = { consoleErrors: [], pageErrors: [], foreignRequests: [] };
  const allowed = new Set([origin, ...allowedOrigins]);
  page.on('console', (message) => {
    if (message.type() === 'error') {
      watch.consoleErrors.push(`${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => watch.pageErrors.push(error.message));
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (!allowed.has(new URL(url).origin)) watch.foreignRequests.push(url);
  });
  return watch;
}

/** A value set on the page's window, gone if the page reloads or navigates away. */
const MARKER = 'sharexpressTestMarker';
export const setMarker = (page: Page): Promise<void> =>
  page.evaluate((name) => {
    (globalThis as Record<string, unknown>)[name] = true;
  }, MARKER);
/** Whether the page still holds setMarker's value: it did not reload or navigate. */
export const hasMarker = (page: Page): Promise<boolean> =>
  page.evaluate((name) => (globalThis as Record<string, unknown>)[name] === true, MARKER);

/** The user tokens' key in sessionStorage, where the web client keeps them. */
export const USER_TOKENS_KEY = 'sharexpress.user.v1';

/**
 * A desktop context signed in as `tokens` without going through the UI: they are put in each new
 * tab's sessionStorage as the client keeps them, only when the tab has none (a reload keeps its own).
 */
export async function signedInDesktop(
  h: WebHarness,
  tokens: { accessToken: string; refreshToken: string },
): Promise<BrowserContext> {
  const context = await h.desktop();
  await context.addInitScript(
    ({ key, value }) => {
      // No DOM types in this program: the two methods used.
      const storage = (
        globalThis as unknown as {
          sessionStorage: {
            getItem(k: string): string | null;
            setItem(k: string, v: string): void;
          };
        }
      ).sessionStorage;
      if (storage.getItem(key) === null) storage.setItem(key, value);
    },
    {
      key: USER_TOKENS_KEY,
      value: JSON.stringify({ ...tokens, expiresAt: Date.now() + 10 * 60_000 }),
    },
  );
  return context;
}
