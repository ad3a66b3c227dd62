// Accessibility of the web client's main pages: axe-core (WCAG 2 A and AA) in Debian's headless
// Chromium, each page in the light and in the dark colour scheme, with the page's own CSP in
// force. A serious or critical violation fails the test; the others are printed. The dark scheme
// must really be another look (dark mode follows the system), not the light page again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import {
  Artifacts,
  browserSkip,
  decodeQrElement,
  formatViolations,
  runAxe,
  seriousViolations,
  startWebHarness,
  type AxeViolation,
  type WebHarness,
} from './web-harness.js';

const SCHEMES = ['light', 'dark'] as const;
type Scheme = (typeof SCHEMES)[number];

interface Checked {
  page: string;
  scheme: Scheme;
  violations: AxeViolation[];
  colours: string;
}

/** The page's colours as computed (root and body background, body text): what a scheme changes. */
const colours = (page: Page): Promise<string> =>
  page.evaluate(() => {
    interface El {
      [key: string]: unknown;
    }
    const g = globalThis as unknown as {
      document: { documentElement: El; body: El };
      getComputedStyle(element: El): { backgroundColor: string; color: string };
    };
    const root = g.getComputedStyle(g.document.documentElement);
    const body = g.getComputedStyle(g.document.body);
    return `${root.backgroundColor} / ${body.backgroundColor} / ${body.color}`;
  });

describe(
  'web client accessibility (axe-core, light and dark)',
  { skip: browserSkip, timeout: 90_000 },
  () => {
    let h: WebHarness;

    before(async () => {
      h = await startWebHarness();
    });
    after(async () => {
      await h?.close();
    });

    it('has no serious or critical violation on the main pages', async (t: TestContext) => {
      const shots = new Artifacts('web a11y');
      const checked: Checked[] = [];
      const check = async (page: Page, name: string): Promise<void> => {
        for (const scheme of SCHEMES) {
          await page.emulateMedia({ colorScheme: scheme });
          checked.push({
            page: name,
            scheme,
            violations: await runAxe(page),
            colours: await colours(page),
          });
          await shots.shot(page, `${name} ${scheme}`);
        }
        await page.emulateMedia({ colorScheme: 'light' });
      };

      const desktopContext = await h.desktop({ colorScheme: 'light' });
      const phoneContext = await h.phone({ colorScheme: 'light' });
      const desktop = await desktopContext.newPage();
      const phone = await phoneContext.newPage();
      desktop.setDefaultTimeout(15_000);
      phone.setDefaultTimeout(15_000);

      await desktop.goto(`${h.baseUrl}/`);
      await desktop.getByRole('heading', { name: 'Sign in' }).waitFor();
      await check(desktop, 'sign in');

      await desktop.getByRole('button', { name: 'Create an account' }).click();
      await desktop.getByRole('heading', { name: 'Create an account' }).waitFor();
      await check(desktop, 'sign up');

      await desktop.getByLabel('Email').fill(`a11y-${randomBytes(4).toString('hex')}@example.test`);
      await desktop.getByLabel('Password').fill('correct horse battery staple');
      await desktop.getByLabel('Display name').fill('Grace');
      await desktop.getByRole('button', { name: 'Sign up' }).click();
      await desktop.getByRole('heading', { name: 'New session' }).waitFor();
      // One session in the list, so the list is checked with an entry.
      await desktop.getByLabel('Name').fill('Earlier session');
      await desktop.getByRole('button', { name: 'Create session' }).click();
      await desktop.getByRole('heading', { level: 1, name: 'Earlier session' }).waitFor();
      await desktop.goto(`${h.baseUrl}/#/`);
      await desktop.getByRole('heading', { name: 'Your sessions' }).waitFor();
      await desktop.getByRole('heading', { name: 'New session' }).waitFor();
      await desktop
        .getByRole('button', { name: 'Earlier session' })
        .or(desktop.getByRole('link', { name: 'Earlier session' }))
        .first()
        .waitFor();
      await check(desktop, 'sessions and new session');

      await desktop.getByLabel('Name').fill('Reviewed');
      await desktop.getByRole('checkbox', { name: 'Approve each device' }).check();
      await desktop.getByRole('button', { name: 'Create session' }).click();
      await desktop.getByRole('heading', { level: 1, name: 'Reviewed' }).waitFor();
      const pairingUrl = await decodeQrElement(
        desktop.getByRole('img', { name: 'QR code to pair a device' }),
      );

      await phone.goto(pairingUrl);
      await phone.getByText('Waiting for approval').waitFor();
      await check(phone, 'phone waiting');

      const approve = desktop
        .getByRole('region', { name: 'Devices' })
        .getByRole('button', { name: /^Approve / });
      await approve.waitFor();
      await check(desktop, 'session with pending device');

      await approve.click();
      await phone.getByRole('heading', { name: 'Reviewed' }).waitFor();
      await phone.getByLabel('Choose files').waitFor({ state: 'attached' });
      await check(phone, 'phone session');

      await desktopContext.close();
      await phoneContext.close();

      t.diagnostic(
        `axe checked ${String(checked.length)} page states: ` +
          checked.map((c) => `${c.page} (${c.scheme}): ${String(c.violations.length)}`).join(', '),
      );
      for (const c of checked) {
        const serious = new Set(seriousViolations(c.violations));
        const minor = c.violations.filter((v) => !serious.has(v));
        if (minor.length > 0) t.diagnostic(`${c.page} (${c.scheme}):\n${formatViolations(minor)}`);
      }
      const serious = checked
        .map((c) => ({ ...c, violations: seriousViolations(c.violations) }))
        .filter((c) => c.violations.length > 0);
      assert.deepEqual(
        serious.map((c) => `${c.page} (${c.scheme})`),
        [],
        serious
          .map((c) => `${c.page} (${c.scheme}):\n${formatViolations(c.violations)}`)
          .join('\n'),
      );
      // Dark mode follows the system: every page looks different in the dark scheme.
      const samePages = [...new Set(checked.map((c) => c.page))].filter((name) => {
        const [light, dark] = SCHEMES.map(
          (scheme) => checked.find((c) => c.page === name && c.scheme === scheme)?.colours,
        );
        return light === dark;
      });
      assert.deepEqual(samePages, [], 'pages whose colours the dark scheme leaves as they are');
    });
  },
);
