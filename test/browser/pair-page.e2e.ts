// The /pair page in Debian's headless Chromium on a phone-sized screen, against a real app:
// a phone that opens pairingUrl joins the session (at once, or after the owner approves it),
// the secret leaves the address bar, and nothing is loaded from anywhere else.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Owner } from './pair-client.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium package (.ci/run does) to run the browser test`;

// A mid-range Android phone.
const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/126.0.0.0 Mobile Safari/537.36',
};
const DEVICE_NAME = 'Chrome on Android'; // what the page derives from that user agent
const REMAINING = /^(\d+ d )?(\d\d:)?\d\d:\d\d$/;

/** What a page did that the test forbids: console errors, uncaught errors, foreign requests. */
interface Watch {
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  /** Answers the page got, as `<status> <path>`. */
  responses: string[];
  /** The problem codes of the poll answers, in order. */
  pollCodes: string[];
}

async function openPhone(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; watch: Watch }> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const watch: Watch = {
    consoleErrors: [],
    pageErrors: [],
    requests: [],
    responses: [],
    pollCodes: [],
  };
  page.on('console', (message) => {
    if (message.type() === 'error') {
      watch.consoleErrors.push(`${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => watch.pageErrors.push(error.message));
  context.on('request', (request) => watch.requests.push(request.url()));
  context.on('response', (response) =>
    watch.responses.push(`${String(response.status())} ${new URL(response.url()).pathname}`),
  );
  page.on('response', (response) => {
    if (!response.url().endsWith('/v1/pairings/poll')) return;
    void response
      .json()
      .then((body: { code?: string; status?: string }) => {
        watch.pollCodes.push(body.code ?? body.status ?? '');
      })
      .catch(() => watch.pollCodes.push('unreadable'));
  });
  return { context, page, watch };
}

/** Every request went to the app itself (data: URLs never leave the page). */
function assertSameOrigin(watch: Watch, origin: string): void {
  const foreign = watch.requests.filter(
    (url) => !url.startsWith('data:') && new URL(url).origin !== origin,
  );
  assert.deepEqual(foreign, []);
  assert.ok(
    watch.requests.some((url) => url === `${origin}/pair`),
    watch.requests.join('\n'),
  );
}

/**
 * No console error but the browser's own note of an HTTP error status the page asked for and
 * handles: a session without the (later) file listing answers 404 on /files.
 */
function assertNoConsoleErrors(watch: Watch): void {
  const unexpected = watch.consoleErrors.filter(
    (text) =>
      !/^Failed to load resource: the server responded with a status of 404 .*\/files\)$/.test(
        text,
      ),
  );
  assert.deepEqual(unexpected, []);
  assert.deepEqual(watch.pageErrors, []);
}

async function assertNoHorizontalScroll(page: Page): Promise<void> {
  // Expressions as strings: this project's TypeScript has no DOM types.
  const { scrollWidth, innerWidth } = await page.evaluate<{
    scrollWidth: number;
    innerWidth: number;
  }>('({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })');
  assert.ok(
    scrollWidth <= innerWidth,
    `scrollWidth ${String(scrollWidth)} > ${String(innerWidth)}`,
  );
}

/** The address bar shows /pair with no fragment, and nowhere the secret. */
function assertSecretGone(page: Page, baseUrl: string, secret: string): void {
  assert.equal(page.url(), `${baseUrl}/pair`);
  assert.ok(!page.url().includes('#'));
  assert.ok(!page.url().includes(secret));
}

async function sessionView(page: Page, name: string): Promise<void> {
  await page.locator('#session-view').waitFor({ state: 'visible' });
  await page.getByRole('heading', { name }).waitFor({ state: 'visible' });
  const remaining = page.getByRole('timer');
  await remaining.waitFor({ state: 'visible' });
  assert.match((await remaining.textContent()) ?? '', REMAINING);
}

describe('/pair page in a phone-sized headless Chromium', { skip, timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let owner: Owner;

  before(async () => {
    t = await startTestApp({
      env: {
        RATE_LIMIT_MAX: '100000',
        RATE_LIMIT_AUTH_MAX: '1000',
        RATE_LIMIT_POLL_MAX: '1000',
        PAIRING_POLL_INTERVAL_SECONDS: '1',
        SESSION_MIN_TTL_SECONDS: '1', // for a session that ends while the page shows it
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    owner = await Owner.signUp(t.baseUrl);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('joins from pairingUrl: shows the session, takes the secret out of the address bar', async () => {
    const session = await owner.createSession({ name: 'Holiday photos', ttlSeconds: 3600 });
    const pairing = await owner.createPairing(session.id);
    const { context, page, watch } = await openPhone(browser);
    try {
      await page.goto(pairing.pairingUrl);
      await sessionView(page, 'Holiday photos');
      assertSecretGone(page, t.baseUrl, pairing.secret);
      assert.equal(await page.locator('#device-name-shown').textContent(), DEVICE_NAME);
      await page.getByText('No files yet').waitFor({ state: 'visible' });
      await snapshot(page, 'session');

      // The countdown runs: the hour is not over, and the next second shows.
      const first = (await page.getByRole('timer').textContent()) ?? '';
      assert.match(first, /^(59:\d\d|01:00:00)$/);
      await page.getByRole('timer').filter({ hasNotText: first }).waitFor();

      // The token sits in this tab's sessionStorage only.
      const storage = await page.evaluate(() => ({
        session: sessionStorage.getItem('sharexpress.pair.v1') ?? '',
        local: localStorage.length,
      }));
      assert.match(storage.session, /"accessToken":"ey/);
      assert.equal(storage.local, 0);

      // The owner sees the phone, active, under the name the page gave it.
      const devices = await owner.devices(session.id);
      assert.equal(devices.length, 1);
      assert.equal(devices[0]?.status, 'active');
      assert.equal(devices[0]?.name, DEVICE_NAME);

      await assertNoHorizontalScroll(page);
      for (const width of [360, 320]) {
        await page.setViewportSize({ width, height: 740 });
        await assertNoHorizontalScroll(page);
      }
      assertSameOrigin(watch, t.baseUrl);
      assertNoConsoleErrors(watch);

      // A reload resumes from sessionStorage (no second claim) and fetches fresh state: a
      // rename and an extension show, and the page trades its token for one that lasts as long.
      const extended = await owner.call('PATCH', `/v1/sessions/${session.id}`, {
        name: 'Holiday photos 2',
        ttlSeconds: 7200,
      });
      assert.equal(extended.status, 200, await extended.text());
      await page.reload();
      await sessionView(page, 'Holiday photos 2');
      await page
        .getByRole('timer')
        .filter({ hasText: /^01:5\d:\d\d$/ })
        .waitFor();
      await until('a renewed token', () => answersTo(watch, '/v1/devices/token') === 1);
      assert.ok(watch.responses.some((r) => /^20[01] \/v1\/devices\/token$/.test(r)));
      assertNoConsoleErrors(watch);
      // Once the owner removes the phone, its next request learns it was disconnected and the
      // token is dropped.
      await owner.revoke(session.id, devices[0]?.id ?? '');
      await page.reload();
      await page.getByRole('heading', { name: 'This device was disconnected' }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      assert.equal(answersTo(watch, '/v1/pairings/claim'), 1);
      assertSameOrigin(watch, t.baseUrl);
      assert.deepEqual(watch.pageErrors, []);
    } finally {
      await context.close();
    }
  });

  it('waits for approval when the session requires it, then shows the session', async () => {
    const session = await owner.createSession({ name: 'Approved only', requireApproval: true });
    const pairing = await owner.createPairing(session.id);
    const { context, page, watch } = await openPhone(browser);
    try {
      await page.goto(pairing.pairingUrl);
      await page.getByText('Waiting for approval on the other device…').waitFor();
      assertSecretGone(page, t.baseUrl, pairing.secret);
      await assertNoHorizontalScroll(page);

      // The owner sees a pending device with the phone's name and user agent, and approves it.
      const [device, ...others] = await owner.devices(session.id);
      assert.equal(others.length, 0);
      assert.equal(device?.status, 'pending');
      assert.equal(device?.name, DEVICE_NAME);
      assert.equal(device?.userAgent, PHONE.userAgent);
      // The page keeps polling while nobody has decided yet.
      await until('two polls', () => answersTo(watch, '/v1/pairings/poll') >= 2);
      await snapshot(page, 'waiting');
      assert.equal((await owner.decide(session.id, device?.id ?? '', 'approve')).status, 'active');

      await sessionView(page, 'Approved only');
      // Polled at the pace the server asked for: never told to slow down.
      await until('the approved poll', () => watch.pollCodes.includes('active'));
      assert.ok(watch.pollCodes.length >= 3, watch.pollCodes.join());
      assert.deepEqual(new Set(watch.pollCodes), new Set(['AUTHORIZATION_PENDING', 'active']));
      assertSecretGone(page, t.baseUrl, pairing.secret);
      assert.equal(await page.locator('#device-name-shown').textContent(), DEVICE_NAME);
      assertSameOrigin(watch, t.baseUrl);
      assert.deepEqual(watch.pageErrors, []);
    } finally {
      await context.close();
    }
  });

  it('tells the phone when the owner rejects it', async () => {
    const session = await owner.createSession({ name: 'Strict', requireApproval: true });
    const pairing = await owner.createPairing(session.id);
    const { context, page, watch } = await openPhone(browser);
    try {
      await page.goto(pairing.pairingUrl);
      await page.getByText('Waiting for approval on the other device…').waitFor();
      const [device] = await owner.devices(session.id);
      await owner.decide(session.id, device?.id ?? '', 'reject');
      await page.getByRole('heading', { name: 'Not approved' }).waitFor();
      await snapshot(page, 'rejected');
      assert.equal(await page.locator('#session-view').isVisible(), false);
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      assert.deepEqual(watch.pageErrors, []);
    } finally {
      await context.close();
    }
  });

  it('says so when the session runs out while the page shows it', async () => {
    const session = await owner.createSession({ name: 'Short one', ttlSeconds: 6 });
    const pairing = await owner.createPairing(session.id);
    const { context, page, watch } = await openPhone(browser);
    try {
      await page.goto(pairing.pairingUrl);
      await sessionView(page, 'Short one');
      assert.match((await page.getByRole('timer').textContent()) ?? '', /^00:0\d$/);
      await page.getByRole('heading', { name: 'Session expired' }).waitFor();
      assert.equal(await page.locator('#session-view').isVisible(), false);
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      assert.deepEqual(watch.pageErrors, []);
    } finally {
      await context.close();
    }
  });

  it('explains a secret that was already used, and offers the code form', async () => {
    const session = await owner.createSession({ name: 'Used link' });
    const pairing = await owner.createPairing(session.id);
    const first = await fetch(`${t.baseUrl}/v1/pairings/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: pairing.secret }),
    });
    assert.equal(first.status, 201, await first.text());
    const { context, page, watch } = await openPhone(browser);
    try {
      await page.goto(pairing.pairingUrl);
      const alert = page.getByRole('alert');
      await alert.waitFor({ state: 'visible' });
      assert.match((await alert.textContent()) ?? '', /already been used or has expired/);
      await snapshot(page, 'spent-secret');
      await page.getByLabel('Pairing code').waitFor({ state: 'visible' });
      assertSecretGone(page, t.baseUrl, pairing.secret);
      assert.equal(await page.locator('#session-view').isVisible(), false);
      assert.equal((await owner.devices(session.id)).length, 1); // the first claim's only
      await assertNoHorizontalScroll(page);
      assertSameOrigin(watch, t.baseUrl);
      assert.deepEqual(watch.pageErrors, []);
    } finally {
      await context.close();
    }
  });

  it('joins by typing the code on a plain /pair, under the name typed', async () => {
    const session = await owner.createSession({ name: 'Typed in' });
    const pairing = await owner.createPairing(session.id);
    const { context, page, watch } = await openPhone(browser);
    try {
      await page.goto(`${t.baseUrl}/pair`);
      await page.getByLabel('Pairing code').fill('BCD-FG');
      await page.getByRole('button', { name: 'Join' }).click();
      assert.match((await page.getByRole('alert').textContent()) ?? '', /8 letters/);
      assert.equal(answersTo(watch, '/v1/pairings/claim'), 0);

      await page.getByLabel('Pairing code').fill(pairing.code.toLowerCase());
      await page.getByLabel(/Name of this device/).fill('Kitchen tablet');
      await page.getByRole('button', { name: 'Join' }).click();
      await sessionView(page, 'Typed in');
      assert.equal(await page.locator('#device-name-shown').textContent(), 'Kitchen tablet');
      assert.equal((await owner.devices(session.id))[0]?.name, 'Kitchen tablet');
      await assertNoHorizontalScroll(page);
      assertSameOrigin(watch, t.baseUrl);
      assertNoConsoleErrors(watch);
    } finally {
      await context.close();
    }
  });
});

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const answersTo = (watch: Watch, path: string): number =>
  watch.responses.filter((r) => r.endsWith(` ${path}`)).length;

/** PAIR_PAGE_SCREENSHOTS=<dir> keeps a picture of each state, to look at the layout. */
async function snapshot(page: Page, name: string): Promise<void> {
  const dir = process.env.PAIR_PAGE_SCREENSHOTS;
  if (dir !== undefined && dir !== '') {
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  }
}
