// The phone's side of the web client (/pair) in Debian's headless Chromium on a Pixel 7, against
// a real API: what the old embedded /pair page's browser test asserted, on the new client. The
// owner acts over plain HTTP (no desktop page), so each case shows only what the phone does.
// Screenshots: test-artifacts/browser/web-phone/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page, Request } from 'playwright-core';
import {
  call,
  createPairing,
  createSession,
  json,
  listDevices,
  newOwner,
  secretOf,
  type Owner,
  type Pairing,
  type Session,
} from '../e2e/pairing/pairing-client.js';
import { eventually } from '../support/eventually.js';
import {
  Artifacts,
  browserSkip,
  PHONE,
  PHONE_DEVICE_NAME,
  startWebHarness,
  watchPage,
  type PageWatch,
  type WebHarness,
} from './web-harness.js';

const DEVICE_KEY = 'sharexpress.device.v1';
const ENDED = 'This session has ended';
/** "Ends in 59:58" for a session of an hour, as the phone's countdown shows it. */
const WITHIN_THE_HOUR = /^Ends in (59:\d\d|1:00:00)$/;

/** One phone tab: its page, what it did, and the requests it sent, as `METHOD /path`. */
interface Phone {
  context: BrowserContext;
  page: Page;
  watch: PageWatch;
  requests: string[];
  /** The requests to the app not answered (or failed) yet. */
  open: Set<Request>;
}

interface StoredDevice {
  kind?: string;
  accessToken?: string;
  expiresAt?: string;
}

/** What this tab keeps: the device record in sessionStorage, and how full both storages are. */
async function storage(
  page: Page,
): Promise<{ device: StoredDevice | null; sessionKeys: string[]; local: number }> {
  const raw = await page.evaluate((key) => {
    return {
      device: sessionStorage.getItem(key),
      sessionKeys: Object.keys(sessionStorage),
      local: localStorage.length,
    };
  }, DEVICE_KEY);
  return {
    device: raw.device === null ? null : (JSON.parse(raw.device) as StoredDevice),
    sessionKeys: raw.sessionKeys,
    local: raw.local,
  };
}

/** The page's document is no wider than its viewport at each phone width. */
async function assertFits(page: Page, where: string): Promise<void> {
  const original = page.viewportSize();
  for (const width of [390, 360, 320]) {
    await page.setViewportSize({ width, height: 740 });
    // An expression as a string: this project's TypeScript has no DOM types.
    const { scrollWidth, innerWidth } = await page.evaluate<{
      scrollWidth: number;
      innerWidth: number;
    }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
    assert.ok(
      scrollWidth <= innerWidth,
      `${where} at ${String(width)} px: scrollWidth ${String(scrollWidth)} > ${String(innerWidth)}`,
    );
  }
  if (original !== null) await page.setViewportSize(original);
}

/** No uncaught error and no request to another origin (the storage endpoint aside). */
function assertQuiet(phone: Phone, where: string): void {
  assert.deepEqual(phone.watch.pageErrors, [], `${where}: uncaught errors`);
  assert.deepEqual(phone.watch.foreignRequests, [], `${where}: requests to other origins`);
}

const CLAIM = 'POST /v1/pairings/claim';
const RENEW = 'POST /v1/devices/token';
const countOf = (phone: Phone, request: string): number =>
  phone.requests.filter((r) => r === request).length;

/** The ended screen (its heading already shown) gives this reason; else what the page sent. */
async function assertEndedBecause(phone: Phone, reason: string): Promise<void> {
  const shown = await phone.page.locator('.ended-view p').first().textContent();
  assert.equal(shown, reason, `the last requests: ${phone.requests.slice(-6).join(', ')}`);
}

describe(
  'web client: the phone at /pair in headless Chromium',
  { skip: browserSkip, timeout: 90_000 },
  () => {
    let h: WebHarness;
    let owner: Owner;
    const shots = new Artifacts('web phone');
    const phones: Phone[] = [];

    async function openPhone(): Promise<Phone> {
      const context = await h.phone();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const requests: string[] = [];
      const open = new Set<Request>();
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.origin !== h.baseUrl) return;
        requests.push(`${request.method()} ${url.pathname}`);
        open.add(request);
      });
      page.on('requestfinished', (request) => open.delete(request));
      page.on('requestfailed', (request) => open.delete(request));
      const phone = {
        context,
        page,
        watch: watchPage(page, h.baseUrl, [h.storageOrigin]),
        requests,
        open,
      };
      phones.push(phone);
      return phone;
    }

    /** A pairing whose link the phone opens, and the owner's list of the session's devices. */
    const pairingFor = (session: Session): Promise<Pairing> =>
      createPairing(h.baseUrl, owner, session.id);
    const devicesOf = async (session: Session) =>
      (await listDevices(h.baseUrl, owner, session.id)).items;

    /** The phone shows the session: its name as heading, the countdown, the Live indicator. */
    async function sessionShown(page: Page, name: string): Promise<void> {
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await page.getByText(/^Ends in /).waitFor();
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    }

    before(async () => {
      // Sessions as short as a few seconds, for the one that runs out on screen.
      h = await startWebHarness({ env: { SESSION_MIN_TTL_SECONDS: '1' } });
      owner = await newOwner(h.baseUrl);
    });
    after(async () => {
      for (const phone of phones) await phone.context.close().catch(() => undefined);
      await h?.close();
    });

    // The phone that joins by link; the cases after the first go on with it.
    let linked: Phone;
    let linkedSession: Session;
    let linkedPairing: Pairing;

    it('joins from the pairing link under a name taken from its user agent, the countdown ticks, the token stays in sessionStorage, and the page fits 390/360/320 px', async () => {
      linkedSession = await createSession(h.baseUrl, owner, {
        name: 'Holiday photos',
        ttlSeconds: 3600,
      });
      linkedPairing = await pairingFor(linkedSession);
      linked = await openPhone();
      const { page } = linked;
      await page.goto(linkedPairing.pairingUrl);
      await sessionShown(page, 'Holiday photos');
      assert.equal(page.url(), `${h.baseUrl}/pair`, 'the secret left the address bar');
      await shots.shot(page, 'joined by link');

      // The owner sees the phone, active, named from its user agent (Pixel 7: Chrome on Android).
      const devices = await devicesOf(linkedSession);
      assert.equal(devices.length, 1);
      assert.equal(devices[0]?.status, 'active');
      assert.equal(devices[0]?.name, PHONE_DEVICE_NAME);
      assert.equal(devices[0]?.userAgent, PHONE.userAgent);
      // … and the phone shows that name too.
      await page.getByText(`This device: ${PHONE_DEVICE_NAME}`).waitFor();

      // The countdown runs: within the hour, and the next second shows.
      const countdown = page.getByText(/^Ends in /);
      const first = (await countdown.textContent()) ?? '';
      assert.match(first, WITHIN_THE_HOUR);
      await page
        .getByText(/^Ends in /)
        .filter({ hasNotText: first })
        .waitFor();

      // The device token is in this tab's sessionStorage only; localStorage stays empty.
      const stored = await storage(page);
      assert.equal(stored.device?.kind, 'active');
      assert.match(stored.device?.accessToken ?? '', /^ey[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
      assert.ok(
        !JSON.stringify(stored).includes(secretOf(linkedPairing)),
        'the secret is not kept',
      );
      assert.equal(stored.local, 0, 'nothing in localStorage');

      await assertFits(page, 'session view');
      assert.equal(countOf(linked, CLAIM), 1);
      assertQuiet(linked, 'joined by link');
    });

    it('offers the code form with a clear alert when the link was already used (a second phone opens it)', async () => {
      const second = await openPhone();
      const { page } = second;
      await page.goto(linkedPairing.pairingUrl);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal(
        await alert.textContent(),
        'This pairing link has already been used or has expired. Ask for a new QR code, or type a fresh code here.',
      );
      await page.getByLabel('Pairing code').waitFor();
      await page.getByRole('button', { name: 'Join' }).waitFor();
      assert.equal(page.url(), `${h.baseUrl}/pair`, 'the secret left the address bar');
      await shots.shot(page, 'used link');
      assert.equal((await devicesOf(linkedSession)).length, 1, 'only the first phone joined');
      assert.equal((await storage(page)).device, null, 'nothing stored for this tab');
      await assertFits(page, 'code form with alert');
      assertQuiet(second, 'used link');
      await second.context.close();
    });

    it('a reload resumes without a second claim; back on the page after the owner renamed and extended the session, it shows both and renews its token once', async () => {
      const { page } = linked;
      const before = await storage(page);

      await page.reload();
      await sessionShown(page, 'Holiday photos');
      assert.equal(countOf(linked, CLAIM), 1, 'no second claim after the reload');
      assert.equal(countOf(linked, RENEW), 0, 'no renewal: the token lasts as long as the session');

      // The tab leaves the page (its stream with it); meanwhile the owner renames and extends.
      await page.goto('about:blank');
      const extended = await json<Session>(
        await call(h.baseUrl, 'PATCH', `/v1/sessions/${linkedSession.id}`, {
          token: owner.token,
          body: { name: 'Holiday photos 2', ttlSeconds: 7200 },
        }),
        200,
      );
      await page.goto(`${h.baseUrl}/pair`);
      await sessionShown(page, 'Holiday photos 2');
      await page.getByText(/^Ends in (1:59:\d\d|2:00:00)$/).waitFor();
      await page.getByText(`This device: ${PHONE_DEVICE_NAME}`).waitFor();
      assert.equal(countOf(linked, CLAIM), 1, 'resumed from sessionStorage, no second claim');

      // The session now outlives the token: the page trades it for one up to the new expiry.
      const renewed = await eventually('a renewed token in sessionStorage', 10_000, async () => {
        const now = await storage(page);
        return now.device?.accessToken !== before.device?.accessToken ? now : undefined;
      });
      assert.equal(countOf(linked, RENEW), 1);
      const tokenEnd = Date.parse(renewed.device?.expiresAt ?? '');
      assert.ok(
        Math.abs(tokenEnd - Date.parse(extended.expiresAt)) < 2000,
        `the renewed token lasts until the session's new end: ${String(renewed.device?.expiresAt)} vs ${extended.expiresAt}`,
      );
      await shots.shot(page, 'resumed renamed extended');
      assertQuiet(linked, 'resumed');
    });

    it('a device the owner revokes sees its ended message, and its sessionStorage is cleared', async () => {
      const { page } = linked;
      const [device] = await devicesOf(linkedSession);
      assert.ok(device !== undefined);
      // At once: a read the page has in flight is refused, and the view still waits for the
      // stream's end frame to name the reason.
      const res = await call(
        h.baseUrl,
        'DELETE',
        `/v1/sessions/${linkedSession.id}/devices/${device.id}`,
        {
          token: owner.token,
        },
      );
      assert.equal(res.status, 204, await res.text());
      await page.getByRole('heading', { level: 1, name: ENDED }).waitFor();
      await assertEndedBecause(linked, 'The owner removed this device from it.');
      await shots.shot(page, 'revoked');
      const stored = await storage(page);
      assert.equal(stored.device, null);
      assert.deepEqual(stored.sessionKeys, [], 'sessionStorage is empty');
      // Over the whole journey: one claim, one renewal.
      assert.equal(countOf(linked, CLAIM), 1);
      assert.equal(countOf(linked, RENEW), 1);
      assertQuiet(linked, 'revoked');
      await linked.context.close();
    });

    it('waits for approval, named from its user agent, then shows the session once the owner approves', async () => {
      const session = await createSession(h.baseUrl, owner, {
        name: 'Approved only',
        requireApproval: true,
      });
      const pairing = await pairingFor(session);
      const phone = await openPhone();
      const { page } = phone;
      await page.goto(pairing.pairingUrl);
      await page.getByRole('heading', { level: 1, name: 'Waiting for approval' }).waitFor();
      await page.getByText(`approve “${PHONE_DEVICE_NAME}”`, { exact: false }).waitFor();
      assert.equal(page.url(), `${h.baseUrl}/pair`, 'the secret left the address bar');
      await shots.shot(page, 'waiting for approval');
      await assertFits(page, 'waiting for approval');

      const [device, ...others] = await devicesOf(session);
      assert.equal(others.length, 0);
      assert.equal(device?.status, 'pending');
      assert.equal(device?.name, PHONE_DEVICE_NAME);
      // It keeps waiting while nobody has decided yet.
      await eventually('a second poll', 10_000, () =>
        Promise.resolve(countOf(phone, 'POST /v1/pairings/poll') >= 2 ? true : undefined),
      );
      await page.getByRole('heading', { level: 1, name: 'Waiting for approval' }).waitFor();
      await json(
        await call(
          h.baseUrl,
          'POST',
          `/v1/sessions/${session.id}/devices/${device?.id ?? ''}/approve`,
          {
            token: owner.token,
          },
        ),
        200,
      );
      await sessionShown(page, 'Approved only');
      await page.getByText(`This device: ${PHONE_DEVICE_NAME}`).waitFor();
      assert.equal((await storage(page)).device?.kind, 'active');
      await shots.shot(page, 'approved');
      assertQuiet(phone, 'approved');
      await phone.context.close();
    });

    it('is told "The owner declined this device" when the owner rejects it', async () => {
      const session = await createSession(h.baseUrl, owner, {
        name: 'Strict',
        requireApproval: true,
      });
      const pairing = await pairingFor(session);
      const phone = await openPhone();
      const { page } = phone;
      await page.goto(pairing.pairingUrl);
      await page.getByRole('heading', { level: 1, name: 'Waiting for approval' }).waitFor();
      const [device] = await devicesOf(session);
      await json(
        await call(
          h.baseUrl,
          'POST',
          `/v1/sessions/${session.id}/devices/${device?.id ?? ''}/reject`,
          {
            token: owner.token,
          },
        ),
        200,
      );
      await page
        .getByRole('heading', { level: 1, name: 'The owner declined this device' })
        .waitFor();
      await shots.shot(page, 'declined');
      assert.equal(await page.getByRole('heading', { name: 'Strict' }).count(), 0);
      assert.deepEqual((await storage(page)).sessionKeys, [], 'sessionStorage is empty');
      assertQuiet(phone, 'declined');
      await phone.context.close();
    });

    it("ends on the phone's screen when the owner closes the session", async () => {
      const session = await createSession(h.baseUrl, owner, { name: 'Closing soon' });
      const phone = await openPhone();
      const { page } = phone;
      await page.goto((await pairingFor(session)).pairingUrl);
      await sessionShown(page, 'Closing soon');
      const res = await call(h.baseUrl, 'DELETE', `/v1/sessions/${session.id}`, {
        token: owner.token,
      });
      assert.equal(res.status, 204, await res.text());
      await page.getByRole('heading', { level: 1, name: ENDED }).waitFor();
      await assertEndedBecause(phone, 'Its owner closed it.');
      await shots.shot(page, 'closed by owner');
      assert.deepEqual((await storage(page)).sessionKeys, [], 'sessionStorage is empty');
      assertQuiet(phone, 'closed');
      await phone.context.close();
    });

    it("ends on the phone's screen when the session runs out while shown", async () => {
      const session = await createSession(h.baseUrl, owner, { name: 'Short one', ttlSeconds: 3 });
      const phone = await openPhone();
      const { page } = phone;
      await page.goto((await pairingFor(session)).pairingUrl);
      await page.getByRole('heading', { level: 1, name: 'Short one' }).waitFor();
      assert.match((await page.getByText(/^Ends in /).textContent()) ?? '', /^Ends in 0:0\d$/);
      await page.getByRole('heading', { level: 1, name: ENDED }).waitFor();
      await assertEndedBecause(phone, 'Its time ran out.');
      await shots.shot(page, 'expired');
      assert.deepEqual((await storage(page)).sessionKeys, [], 'sessionStorage is empty');
      assertQuiet(phone, 'expired');
      await phone.context.close();
    });

    it('joins by the typed code (lower case, no dash) under the name typed', async () => {
      const session = await createSession(h.baseUrl, owner, { name: 'Typed in' });
      const pairing = await pairingFor(session);
      const phone = await openPhone();
      const { page } = phone;
      await page.goto(`${h.baseUrl}/pair`);
      await page.getByRole('heading', { level: 1, name: 'Join a session' }).waitFor();

      // A code too short is refused on the page, before any request.
      await page.getByLabel('Pairing code').fill('BCD-FG');
      await page.getByRole('button', { name: 'Join' }).click();
      assert.equal(
        await page.getByRole('alert').textContent(),
        'A pairing code has 8 letters, like BCDF-GHJK.',
      );
      assert.equal(countOf(phone, CLAIM), 0);
      await assertFits(page, 'code form');

      const typed = pairing.code.replace(/-/g, '').toLowerCase();
      assert.match(typed, /^[a-z]{8}$/);
      await page.getByLabel('Pairing code').fill(typed);
      await page.getByLabel('Name of this device (optional)').fill('Kitchen tablet');
      await shots.shot(page, 'code typed');
      await page.getByRole('button', { name: 'Join' }).click();
      await sessionShown(page, 'Typed in');
      await page.getByText('This device: Kitchen tablet').waitFor();
      assert.equal(countOf(phone, CLAIM), 1);
      const devices = await devicesOf(session);
      assert.equal(devices.length, 1);
      assert.equal(devices[0]?.name, 'Kitchen tablet');
      assert.equal(devices[0]?.status, 'active');
      await shots.shot(page, 'joined by code');
      await assertFits(page, 'session view joined by code');
      assertQuiet(phone, 'typed code');
      await phone.context.close();
    });
  },
);
