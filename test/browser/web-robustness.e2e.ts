// The web client when things around it go wrong: the token refresh is refused by a busy server,
// storage refuses a download, a file is dropped beside the drop zone, the device's clock runs
// ten minutes fast, a tab is duplicated, the live stream is refused for good, the tab is closed
// during an upload, and focus when the focused control goes away.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { signUp, type TokenPair } from '../e2e/auth/auth-client.js';
import {
  browserSkip,
  hasMarker,
  setMarker,
  signedInDesktop,
  startWebHarness,
  USER_TOKENS_KEY,
  type WebHarness,
} from './web-harness.js';

const MIB = 1024 * 1024;

/** The part of the page's sessionStorage the test uses (no DOM types in this program). */
interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  readonly length: number;
  key(index: number): string | null;
}

interface Owner {
  tokens: TokenPair;
  sessionId: string;
  name: string;
}

async function newOwner(h: WebHarness, name: string, requireApproval = false): Promise<Owner> {
  const tokens = await signUp(h.baseUrl);
  const created = await fetch(`${h.baseUrl}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, requireApproval }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const session = (await created.json()) as { id: string };
  return { tokens, sessionId: session.id, name };
}

/** The owner signed in in a new desktop context (with another access token, if given). */
const signedInContext = (h: WebHarness, owner: Owner, accessToken?: string) =>
  signedInDesktop(h, {
    accessToken: accessToken ?? owner.tokens.accessToken,
    refreshToken: owner.tokens.refreshToken,
  });

async function openSession(context: BrowserContext, h: WebHarness, owner: Owner): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${h.baseUrl}/#/s/${owner.sessionId}`);
  await page.getByRole('heading', { level: 1, name: owner.name }).waitFor();
  return page;
}

async function uploadSmall(page: Page, name: string): Promise<void> {
  await page.getByLabel('Choose files').setInputFiles({
    name,
    mimeType: 'application/octet-stream',
    buffer: Buffer.concat([Buffer.from('sharexpress\n'), randomBytes(2048)]),
  });
  const files = page.getByRole('region', { name: 'Files' });
  await files.getByRole('listitem').filter({ hasText: name }).getByText('ready').waitFor();
}

const problem = (status: number, code: string) => ({
  status,
  contentType: 'application/problem+json',
  body: JSON.stringify({
    type: 'about:blank',
    title: code,
    status,
    detail: code,
    code,
    requestId: 'x',
  }),
});

describe(
  'web client robustness in headless Chromium',
  { skip: browserSkip, timeout: 180_000 },
  () => {
    let h: WebHarness;
    let dir = '';

    before(async () => {
      h = await startWebHarness({
        env: { MULTIPART_THRESHOLD_BYTES: String(8 * MIB) },
        worker: true,
      });
      dir = await mkdtemp(join(tmpdir(), 'sx-web-robust-'));
    });
    after(async () => {
      await h?.close();
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    });

    it('a refresh the server cannot answer (503) keeps the owner signed in and says why; the next one works', async () => {
      const owner = await newOwner(h, 'Refresh test');
      // An access token the API refuses: the first read needs a refresh.
      const context = await signedInContext(h, owner, 'expired.access.token');
      let refreshes = 0;
      await context.route('**/v1/auth/refresh', async (route) => {
        refreshes++;
        await route.fulfill(problem(503, 'SERVICE_UNAVAILABLE'));
      });
      const page = await context.newPage();
      await page.goto(`${h.baseUrl}/`);
      await page.getByRole('alert').first().waitFor();
      assert.ok(refreshes >= 1);
      assert.equal(
        await page.getByRole('heading', { name: 'Sign in' }).count(),
        0,
        'not signed out',
      );
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      const stored = await page.evaluate(
        (key) =>
          (globalThis as unknown as { sessionStorage: SessionStore }).sessionStorage.getItem(key),
        USER_TOKENS_KEY,
      );
      assert.match(stored ?? '', new RegExp(`"refreshToken":"${owner.tokens.refreshToken}"`));

      // The server is back: the same refresh token still works.
      await context.unroute('**/v1/auth/refresh');
      await page.reload();
      await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
      await page
        .getByRole('button', { name: 'Refresh test' })
        .or(page.getByRole('link', { name: 'Refresh test' }))
        .first()
        .waitFor();
      await context.close();
    });

    it('a download storage refuses (403) opens elsewhere: the app page, its live view and uploads stay', async () => {
      const owner = await newOwner(h, 'Download test');
      const context = await signedInContext(h, owner);
      const page = await openSession(context, h, owner);
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await uploadSmall(page, 'refused.bin');
      await setMarker(page);

      await context.route(`${h.storageOrigin}/**`, async (route) => {
        if (route.request().method() === 'GET')
          await route.fulfill({ status: 403, body: 'AccessDenied' });
        else await route.continue();
      });
      const popup = context.waitForEvent('page');
      await page.getByRole('button', { name: 'Download refused.bin' }).click();
      const opened = await popup;
      assert.equal(
        new URL(opened.url()).origin,
        h.storageOrigin,
        'the storage URL opened in its own tab',
      );
      await opened.close();
      assert.equal(await hasMarker(page), true, 'the app page was not replaced');
      assert.equal(new URL(page.url()).origin, h.baseUrl);
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await context.close();
    });

    it('files dropped beside the drop zone are uploaded, not opened in the tab', async () => {
      const owner = await newOwner(h, 'Drop test');
      const context = await signedInContext(h, owner);
      const page = await openSession(context, h, owner);
      await setMarker(page);
      // As the browser fires them for a file dragged over the heading and let go there.
      const prevented = await page.evaluate(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['dropped beside'], 'beside.txt', { type: 'text/plain' }));
      const heading = document.querySelector('h1');
      const over = new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: transfer });
      heading.dispatchEvent(over);
      const drop = new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer });
      heading.dispatchEvent(drop);
      return { over: over.defaultPrevented, drop: drop.defaultPrevented };
    })()`);
      assert.deepEqual(
        prevented,
        { over: true, drop: true },
        'the browser would have opened the file',
      );
      const files = page.getByRole('region', { name: 'Files' });
      await files
        .getByRole('listitem')
        .filter({ hasText: 'beside.txt' })
        .getByText('ready')
        .waitFor();
      assert.equal(await hasMarker(page), true);
      await context.close();
    });

    it('a desktop clock 10 minutes fast still shows the QR code and uploads multipart with one URL request per part batch', async () => {
      const owner = await newOwner(h, 'Clock test');
      const context = await signedInContext(h, owner);
      await context.addInitScript(`(() => {
      const shift = 10 * 60 * 1000;
      const RealDate = Date;
      function FastDate(...args) {
        if (!new.target) return new RealDate(RealDate.now() + shift).toString();
        return args.length === 0 ? new RealDate(RealDate.now() + shift) : new RealDate(...args);
      }
      FastDate.prototype = RealDate.prototype;
      FastDate.now = () => RealDate.now() + shift;
      FastDate.parse = RealDate.parse;
      FastDate.UTC = RealDate.UTC;
      globalThis.Date = FastDate;
    })()`);
      let partRequests = 0;
      context.on('request', (request) => {
        if (request.method() === 'POST' && /\/v1\/files\/[^/]+\/parts$/.test(request.url()))
          partRequests++;
      });
      const page = await openSession(context, h, owner);
      const pairing = page.getByRole('region', { name: 'Pair a device' });
      await pairing.getByRole('img', { name: 'QR code to pair a device' }).waitFor();
      await pairing.getByText(/Code expires in [12]:\d\d/).waitFor();
      await page
        .getByText(/Ends in (59|1:00):\d\d/)
        .first()
        .waitFor();

      const name = 'big.bin';
      const path = join(dir, name);
      await writeFile(path, randomBytes(8 * MIB + 4096)); // two parts
      await page.getByLabel('Choose files').setInputFiles(path);
      const files = page.getByRole('region', { name: 'Files' });
      await files
        .getByRole('listitem')
        .filter({ hasText: name })
        .getByText('ready')
        .waitFor({ timeout: 60_000 });
      assert.equal(partRequests, 1, 'one batch of part URLs, used although they look expired here');
      await context.close();
    });

    it('a duplicated tab drops the copied refresh token: the original refreshes fine, the copy asks to sign in', async () => {
      const owner = await newOwner(h, 'Duplicate test');
      const context = await signedInContext(h, owner);
      const original = await openSession(context, h, owner);
      // "Duplicate tab": a new tab starting with a copy of the original's sessionStorage.
      const copied = await original.evaluate(() => {
        const storage = (globalThis as unknown as { sessionStorage: SessionStore }).sessionStorage;
        const entries: [string, string][] = [];
        for (let i = 0; i < storage.length; i++) {
          const key = storage.key(i) ?? '';
          entries.push([key, storage.getItem(key) ?? '']);
        }
        return entries;
      });
      const copy = await context.newPage();
      await copy.addInitScript((entries) => {
        const storage = (globalThis as unknown as { sessionStorage: SessionStore }).sessionStorage;
        if (storage.getItem('sharexpress.tab.v1') !== null) return; // its own, after a reload
        for (const [key, value] of entries) storage.setItem(key, value);
      }, copied);
      await copy.goto(`${h.baseUrl}/#/s/${owner.sessionId}`);
      await copy.getByRole('heading', { level: 1, name: owner.name }).waitFor();
      const copyStored = async (): Promise<string> =>
        (await copy.evaluate(
          (key) =>
            (globalThis as unknown as { sessionStorage: SessionStore }).sessionStorage.getItem(key),
          USER_TOKENS_KEY,
        )) ?? '';
      for (let i = 0; i < 50 && !(await copyStored()).includes('"refreshToken":null'); i++) {
        await copy.waitForTimeout(100);
      }
      assert.match(await copyStored(), /"refreshToken":null/);

      // The original's access token runs out: it refreshes with the refresh token, and goes on.
      const expire = (page: Page) =>
        page.evaluate((key) => {
          const storage = (globalThis as unknown as { sessionStorage: SessionStore })
            .sessionStorage;
          const value = JSON.parse(storage.getItem(key) ?? '{}') as Record<string, unknown>;
          storage.setItem(key, JSON.stringify({ ...value, accessToken: 'expired.access.token' }));
        }, USER_TOKENS_KEY);
      await expire(original);
      await original.reload();
      await original.getByRole('heading', { level: 1, name: owner.name }).waitFor();
      // The copy's runs out too: it has no refresh token to spend, and asks to sign in.
      await expire(copy);
      await copy.reload();
      await copy.getByRole('heading', { name: 'Sign in' }).waitFor();
      await copy.getByText('This tab is a copy of another one').waitFor();
      // The original is still signed in (its sign-in was not revoked by a reused refresh token).
      await original.reload();
      await original.getByRole('heading', { level: 1, name: owner.name }).waitFor();
      await original.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await context.close();
    });

    it('deleting a file with the keyboard leaves focus on the Files heading', async () => {
      const owner = await newOwner(h, 'Focus test');
      const context = await signedInContext(h, owner);
      const page = await openSession(context, h, owner);
      await uploadSmall(page, 'gone.bin');
      const remove = page.getByRole('button', { name: 'Delete gone.bin' });
      await remove.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Delete gone.bin' }).waitFor({ state: 'detached' });
      await page.waitForFunction(`document.activeElement?.id === 'files-heading'`);
      await context.close();
    });

    it('a device that starts waiting is announced, and approving it with the keyboard leaves focus on its Revoke', async () => {
      const owner = await newOwner(h, 'Approve test', true);
      const auth = { authorization: `Bearer ${owner.tokens.accessToken}` };
      const context = await signedInContext(h, owner);
      const page = await openSession(context, h, owner);
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

      const pairing = await fetch(`${h.baseUrl}/v1/sessions/${owner.sessionId}/pairings`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      const { code } = (await pairing.json()) as { code: string };
      const claimed = await fetch(`${h.baseUrl}/v1/pairings/claim`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, deviceName: 'Kitchen tablet' }),
      });
      assert.equal(claimed.status, 202, await claimed.clone().text());

      const devices = page.getByRole('region', { name: 'Devices' });
      await devices
        .getByText('Kitchen tablet is waiting for approval', { exact: true })
        .waitFor({ state: 'attached' });
      await devices.getByRole('button', { name: 'Approve Kitchen tablet' }).focus();
      await page.keyboard.press('Enter');
      await devices.getByRole('button', { name: 'Revoke Kitchen tablet' }).waitFor();
      await page.waitForFunction(
        `document.activeElement?.getAttribute('aria-label') === 'Revoke Kitchen tablet'`,
      );
      await context.close();
    });

    it('a stream refused for good on a session still active says Offline', async () => {
      const owner = await newOwner(h, 'Offline test');
      const context = await signedInContext(h, owner);
      await context.route('**/v1/sessions/*/events', (route) =>
        route.fulfill(problem(403, 'FORBIDDEN')),
      );
      const page = await openSession(context, h, owner);
      await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
      await context.close();
    });

    it('closing the tab during an upload asks first', async () => {
      const owner = await newOwner(h, 'Leave test');
      const context = await signedInContext(h, owner);
      const page = await openSession(context, h, owner);
      // Storage never answers the PUT: the upload stays under way.
      let held: () => void = () => undefined;
      const putHeld = new Promise<void>((resolve) => (held = resolve));
      await context.route(`${h.storageOrigin}/**`, async (route) => {
        if (route.request().method() !== 'PUT') await route.continue();
        else held();
      });
      await page.getByRole('heading', { level: 1 }).click(); // the page has had a user gesture
      await page.getByLabel('Choose files').setInputFiles({
        name: 'slow.bin',
        mimeType: 'application/octet-stream',
        buffer: randomBytes(4096),
      });
      await putHeld;
      const dialog = page.waitForEvent('dialog');
      await page.close({ runBeforeUnload: true });
      const asked = await dialog;
      assert.equal(asked.type(), 'beforeunload');
      await asked.accept();
      await context.close();
    });
  },
);
