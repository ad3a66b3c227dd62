// The web client end to end in Debian's headless Chromium, as the demo: an owner on a
// laptop signs up, creates a session that approves each device, and shows its QR code; a phone
// opens what the code holds, waits, is approved, and uploads a file; the laptop sees the file
// ready within two seconds without a reload, downloads it, and gets the same bytes.
// Screenshots of every step: test-artifacts/browser/web-flow/.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Response } from 'playwright-core';
import {
  Artifacts,
  browserSkip,
  decodeQrElement,
  hasMarker,
  setMarker,
  startWebHarness,
  watchPage,
  type PageWatch,
  type WebHarness,
} from './web-harness.js';

const SESSION_NAME = 'Holiday photos';
const FILE_NAME = 'beach-notes.bin';
const LIVE_DELAY_LIMIT_MS = 2000;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A few KiB that no content sniffer takes for a known format: ASCII first, then random. */
const fileBytes = (): Buffer =>
  Buffer.concat([Buffer.from('sharexpress browser test\n'), randomBytes(6 * 1024)]);

// Chromium logs every 4xx answer to fetch. The phone's wait for approval polls, and a poll made
// before the owner approves is answered 400 AUTHORIZATION_PENDING (RFC 8628): expected, and
// whether one happens depends on how fast the owner's side is (a loaded machine is slower).
const PENDING_POLL = /status of 400 \(Bad Request\) \(http:\/\/[^)]+\/v1\/pairings\/poll\)$/;

function assertQuiet(name: string, watch: PageWatch): void {
  assert.deepEqual(watch.pageErrors, [], `${name}: uncaught errors`);
  const errors = watch.consoleErrors.filter((line) => !PENDING_POLL.test(line));
  assert.deepEqual(errors, [], `${name}: console errors`);
  assert.deepEqual(watch.foreignRequests, [], `${name}: requests to other origins`);
}

describe(
  'web client: desktop and phone in headless Chromium',
  { skip: browserSkip, timeout: 90_000 },
  () => {
    let h: WebHarness;

    before(async () => {
      h = await startWebHarness();
    });
    after(async () => {
      await h?.close();
    });

    it('pairs a phone by QR with approval, and a file it uploads reaches the desktop live, byte for byte', async (t: TestContext) => {
      const shots = new Artifacts('web flow');
      const desktopContext = await h.desktop();
      const phoneContext = await h.phone();
      const desktop = await desktopContext.newPage();
      const phone = await phoneContext.newPage();
      desktop.setDefaultTimeout(15_000);
      phone.setDefaultTimeout(15_000);
      const desktopWatch = watchPage(desktop, h.baseUrl, [h.storageOrigin]);
      const phoneWatch = watchPage(phone, h.baseUrl, [h.storageOrigin]);

      // Sign up through the UI.
      await desktop.goto(`${h.baseUrl}/`);
      await desktop.getByRole('heading', { name: 'Sign in' }).waitFor();
      await shots.shot(desktop, 'desktop sign in');
      await desktop.getByRole('button', { name: 'Create an account' }).click();
      await desktop.getByRole('heading', { name: 'Create an account' }).waitFor();
      await desktop
        .getByLabel('Email')
        .fill(`owner-${randomBytes(4).toString('hex')}@example.test`);
      await desktop.getByLabel('Password').fill('correct horse battery staple');
      await desktop.getByLabel('Display name').fill('Ada');
      await shots.shot(desktop, 'desktop sign up');
      await desktop.getByRole('button', { name: 'Sign up' }).click();
      await desktop.getByRole('heading', { name: 'New session' }).waitFor();
      await desktop.getByRole('button', { name: 'Sign out' }).waitFor();
      await shots.shot(desktop, 'desktop signed in');

      // A session whose devices need approval.
      await desktop.getByLabel('Name').fill(SESSION_NAME);
      const approval = desktop.getByRole('checkbox', { name: 'Approve each device' });
      assert.equal(await approval.isChecked(), false, 'approval is off by default');
      await approval.check();
      await desktop.getByRole('button', { name: 'Create session' }).click();
      await desktop.getByRole('heading', { level: 1, name: SESSION_NAME }).waitFor();
      await desktop.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await desktop
        .getByText(/Ends in/)
        .first()
        .waitFor();
      await setMarker(desktop);

      // The QR code on screen holds pairingUrl: this origin, /pair, the secret in the fragment.
      const pairPanel = desktop.getByRole('region', { name: 'Pair a device' });
      const qr = pairPanel.getByRole('img', { name: 'QR code to pair a device' });
      const pairingUrl = await decodeQrElement(qr);
      const match = /^(.*)\/pair#([A-Za-z0-9_-]{22,})$/.exec(pairingUrl);
      assert.ok(match !== null, `a pairing URL in the QR code, got ${pairingUrl}`);
      assert.equal(match[1], h.baseUrl);
      const secret = match[2] ?? '';
      assert.match(
        (await pairPanel.getByLabel('Pairing code').textContent()) ?? '',
        /^[A-Z0-9]{4}-?[A-Z0-9]{4}$/,
      );
      await pairPanel.getByText(/Code expires in \d+:\d\d/).waitFor();
      await shots.shot(desktop, 'desktop session with qr');

      // The phone opens it and waits; the secret leaves its address bar.
      await phone.goto(pairingUrl);
      await phone.getByText('Waiting for approval').waitFor();
      assert.equal(phone.url(), `${h.baseUrl}/pair`);
      await shots.shot(phone, 'phone waiting for approval');

      // The desktop sees the pending phone, live, and approves it.
      const devices = desktop.getByRole('region', { name: 'Devices' });
      const approve = devices.getByRole('button', { name: /^Approve / });
      await approve.waitFor();
      assert.equal(await approve.count(), 1);
      const deviceName = ((await approve.getAttribute('aria-label')) ?? '').replace(
        /^Approve /,
        '',
      );
      assert.ok(deviceName !== '', 'the device has a name');
      await devices.getByRole('listitem').filter({ hasText: deviceName }).waitFor();
      await shots.shot(desktop, 'desktop pending device');
      await approve.click();
      await devices.getByRole('button', { name: `Revoke ${deviceName}` }).waitFor();

      // The phone shows the session; its device token is in this tab's sessionStorage only.
      await phone.getByRole('heading', { name: SESSION_NAME }).waitFor();
      await phone.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await phone
        .getByText(/Ends in/)
        .first()
        .waitFor();
      await shots.shot(phone, 'phone session');
      assert.equal(phone.url(), `${h.baseUrl}/pair`);
      const storage = await phone.evaluate(() => ({
        device: sessionStorage.getItem('sharexpress.device.v1'),
        keys: Object.keys(sessionStorage),
        local: localStorage.length,
      }));
      assert.ok(storage.device !== null, `sessionStorage holds the device: ${storage.keys.join()}`);
      assert.match(storage.device, /"ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"/, 'a JWT');
      assert.ok(!storage.device.includes(secret), 'the pairing secret is not kept');
      assert.equal(storage.local, 0, 'nothing in localStorage');

      // The phone uploads; the desktop, watching all along, shows the file ready without reloading.
      const bytes = fileBytes();
      const desktopFiles = desktop.getByRole('region', { name: 'Files' });
      const desktopRow = desktopFiles
        .getByRole('listitem')
        .filter({ hasText: FILE_NAME })
        .filter({ hasText: 'ready' });
      const seenOnDesktop = desktopRow.waitFor().then(() => Date.now());
      const completed = phone.waitForResponse(
        (r: Response) => /\/v1\/files\/[^/]+\/complete$/.test(new URL(r.url()).pathname),
        { timeout: 15_000 },
      );
      await phone
        .getByLabel('Choose files')
        .setInputFiles({ name: FILE_NAME, mimeType: 'application/octet-stream', buffer: bytes });
      const complete = await completed;
      const finishedAt = Date.now();
      assert.equal(complete.status(), 200, await complete.text());
      assert.equal(((await complete.json()) as { status: string }).status, 'ready');
      await phone.getByRole('progressbar', { name: FILE_NAME }).waitFor();
      // The phone, allowed to download, lists it too.
      await phone
        .getByRole('region', { name: 'Files' })
        .getByRole('button', { name: `Download ${FILE_NAME}` })
        .waitFor();
      await shots.shot(phone, 'phone uploaded');
      const delay = (await seenOnDesktop) - finishedAt;
      t.diagnostic(
        `the desktop showed the file ready ${String(delay)} ms after the upload's complete`,
      );
      assert.ok(
        delay < LIVE_DELAY_LIMIT_MS,
        `the desktop showed the file ${String(delay)} ms after the upload finished`,
      );
      assert.equal(await hasMarker(desktop), true, 'the desktop page did not reload');
      await desktopRow.getByText(/\d+ downloads? left/).waitFor();
      await shots.shot(desktop, 'desktop sees the file');

      // The desktop downloads it: the same bytes.
      const downloaded = desktop.waitForEvent('download');
      await desktopFiles.getByRole('button', { name: `Download ${FILE_NAME}` }).click();
      const download = await downloaded;
      assert.equal(download.suggestedFilename(), FILE_NAME);
      const got = await readFile(await download.path());
      assert.equal(got.length, bytes.length);
      assert.equal(sha256(got), sha256(bytes));
      await shots.shot(desktop, 'desktop downloaded');
      assert.equal(await hasMarker(desktop), true, 'the download did not navigate the page');

      assertQuiet('desktop', desktopWatch);
      assertQuiet('phone', phoneWatch);
      await desktopContext.close();
      await phoneContext.close();
    });
  },
);
