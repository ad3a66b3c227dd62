// A multipart upload from the web client survives a page reload: the page is reloaded while a
// part is on its way, the user chooses the same file again, and only the parts storage lacks are
// sent; the file ends `ready` with the bytes that were on disk. An upload that can no longer
// resume (its file was deleted meanwhile) says so and is forgotten. Without a reload, a part whose
// connection dropped is sent again, and one whose URL storage refused gets a fresh URL.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { signUp } from '../e2e/auth/auth-client.js';
import {
  Artifacts,
  browserSkip,
  signedInDesktop,
  startWebHarness,
  watchPage,
  type PageWatch,
  type WebHarness,
} from './web-harness.js';

const MIB = 1024 * 1024;
const UPLOADS_KEY = 'sharexpress.uploads.v1';

/** The part of the page's sessionStorage the test uses (this project's TypeScript has no DOM types). */
interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

interface UploadRecord {
  fileId: string;
  partSize: number;
  done: Record<string, string>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A signed-in owner's session view in a desktop tab, with what the tab PUTs to storage. */
class SessionTab {
  /** Part numbers of the storage PUTs the page sent before its reload and after it. */
  readonly puts = { before: [] as number[], after: [] as number[] };
  private reloaded = false;
  private held: Route[] = [];
  private aborting = false;

  private constructor(
    readonly h: WebHarness,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly watch: PageWatch,
    readonly sessionId: string,
    readonly auth: { authorization: string },
  ) {
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (request.method() !== 'PUT' || url.origin !== h.storageOrigin) return;
      const part = Number(url.searchParams.get('partNumber'));
      (this.reloaded ? this.puts.after : this.puts.before).push(part);
    });
  }

  /** Signs up and creates the session through the API (the test is about the upload panel). */
  static async open(h: WebHarness, name: string): Promise<SessionTab> {
    const tokens = await signUp(h.baseUrl);
    const auth = { authorization: `Bearer ${tokens.accessToken}` };
    const created = await fetch(`${h.baseUrl}/v1/sessions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const session = (await created.json()) as { id: string };

    const context = await signedInDesktop(h, tokens);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const watch = watchPage(page, h.baseUrl, [h.storageOrigin]);
    await page.goto(`${h.baseUrl}/#/s/${session.id}`);
    await page.getByRole('heading', { level: 1, name }).waitFor();
    return new SessionTab(h, context, page, watch, session.id, auth);
  }

  /** From now until the reload, storage PUTs of parts other than 1 are held on their way. */
  async holdAllButPartOne(): Promise<void> {
    await this.page.route(`${this.h.storageOrigin}/**`, async (route) => {
      const request = route.request();
      const part = new URL(request.url()).searchParams.get('partNumber');
      if (request.method() !== 'PUT' || (part === '1' && !this.aborting)) await route.continue();
      else if (this.aborting) await route.abort();
      else this.held.push(route);
    });
  }

  choose(path: string): Promise<void> {
    return this.page.getByLabel('Choose files').setInputFiles(path);
  }

  async records(): Promise<UploadRecord[]> {
    const raw = await this.page.evaluate<string | null, string>(
      (key) =>
        (globalThis as unknown as { sessionStorage: SessionStore }).sessionStorage.getItem(key),
      UPLOADS_KEY,
    );
    return raw === null ? [] : (JSON.parse(raw) as UploadRecord[]);
  }

  /** Waits until the page recorded part 1 as stored while `held` other parts are held. */
  partOneStored(held: number): Promise<UploadRecord> {
    return until(`part 1 recorded, ${String(held)} parts held`, async () => {
      const [record] = await this.records();
      return record?.done['1'] !== undefined && this.held.length === held ? record : undefined;
    });
  }

  /**
   * Reloads the page mid-upload. The held PUTs fail rather than go on (a route released while
   * the page unloads could still reach storage), and so would any retry before the page is gone;
   * after the reload storage is reached untouched (its real CORS preflights included).
   */
  async reload(): Promise<void> {
    this.aborting = true;
    for (const route of this.held.splice(0)) await route.abort();
    await this.page.reload();
    await this.page.unrouteAll({ behavior: 'wait' });
    // Nothing uploads until the file is chosen again: every PUT from here is the resumed upload's.
    this.reloaded = true;
  }

  api(method: string, path: string): Promise<Response> {
    return fetch(`${this.h.baseUrl}${path}`, { method, headers: this.auth });
  }
}

describe(
  'web client: multipart uploads that resume after a reload or a failed part',
  { skip: browserSkip, timeout: 180_000 },
  () => {
    let h: WebHarness;
    let dir = '';

    before(async () => {
      // 8 MiB, the threshold's minimum: files of 8 MiB and more go multipart. The worker
      // verifies them (verifying → ready).
      h = await startWebHarness({
        env: { MULTIPART_THRESHOLD_BYTES: String(8 * MIB) },
        worker: true,
      });
      dir = await mkdtemp(join(tmpdir(), 'sx-web-resume-'));
    });
    after(async () => {
      await h?.close();
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    });

    it('sends only the missing parts after the reload and ends ready with the right bytes', async () => {
      const name = 'holiday-video.bin';
      const size = 20 * MIB + 12_345; // 3 parts of 8 MiB: 8, 8 and the rest
      const bytes = randomBytes(size);
      const path = join(dir, name);
      await writeFile(path, bytes);
      const tab = await SessionTab.open(h, 'Resume test');
      const { page } = tab;
      const shots = new Artifacts('web resume');

      await tab.holdAllButPartOne();
      await tab.choose(path);
      await page.getByRole('progressbar', { name }).waitFor();
      const record = await tab.partOneStored(2);
      assert.equal(record.partSize, 8 * MIB);
      await page.getByText('Uploading 1 of 3 parts').waitFor();
      await shots.shot(page, 'uploading part 1 of 3');

      await tab.reload();
      const prompt = page.getByText(`Resume ${name}: choose the file again`);
      await prompt.waitFor();
      await shots.shot(page, 'after reload resume prompt');
      assert.deepEqual(
        (await tab.records()).map((r) => r.fileId),
        [record.fileId],
      );

      await tab.choose(path);
      await page.getByText('Ready', { exact: true }).waitFor({ timeout: 60_000 });
      await shots.shot(page, 'ready');
      assert.equal(await prompt.count(), 0);

      // Before the reload parts 1, 2, 3 were PUT (2 and 3 held, then failed); after it only 2
      // and 3, once each.
      const sorted = (parts: number[]): number[] => [...parts].sort((a, b) => a - b);
      assert.deepEqual(sorted([...new Set(tab.puts.before)]), [1, 2, 3]);
      assert.deepEqual(sorted(tab.puts.after), [2, 3]);
      // A finished upload leaves no record behind.
      assert.deepEqual(await tab.records(), []);

      // Ready with the declared SHA-256, and the bytes downloaded through a grant match.
      const file = (await (await tab.api('GET', `/v1/files/${record.fileId}`)).json()) as {
        status: string;
        sha256: string;
        size: number;
        name: string;
      };
      assert.deepEqual(
        { status: file.status, sha256: file.sha256, size: file.size, name: file.name },
        { status: 'ready', sha256: sha256(bytes), size, name },
      );
      const grant = await tab.api('POST', `/v1/files/${record.fileId}/downloads`);
      assert.equal(grant.status, 201);
      const { url } = (await grant.json()) as { url: string };
      const downloaded = new Uint8Array(await (await fetch(url)).arrayBuffer());
      assert.equal(sha256(downloaded), sha256(bytes));

      assert.deepEqual(tab.watch.foreignRequests, []);
      assert.deepEqual(tab.watch.pageErrors, []);
      await tab.context.close();
    });

    it('says so and forgets the upload when its file was deleted before it could resume', async () => {
      const name = 'scan.bin';
      const path = join(dir, name);
      await writeFile(path, randomBytes(9 * MIB)); // 2 parts: 8 MiB and 1 MiB
      const tab = await SessionTab.open(h, 'Deleted meanwhile');
      const { page } = tab;

      await tab.holdAllButPartOne();
      await tab.choose(path);
      const record = await tab.partOneStored(1);
      await tab.reload();
      await page.getByText(`Resume ${name}: choose the file again`).waitFor();

      // Someone deleted the file in the meantime (here: the owner, through the API).
      assert.equal((await tab.api('DELETE', `/v1/files/${record.fileId}`)).status, 204);
      await tab.choose(path);
      const alert = page.getByRole('alert').filter({ hasText: `${name} was deleted` });
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /choose it again to upload it anew/);
      assert.deepEqual(await tab.records(), []);
      // Nothing was sent for it after the reload.
      assert.deepEqual(tab.puts.after, []);
      assert.deepEqual(tab.watch.pageErrors, []);
      await tab.context.close();
    });

    it('retries a part whose connection dropped and renews a part URL storage refused as expired', async () => {
      const name = 'long-trip.bin';
      const size = 20 * MIB; // 3 parts: 8, 8, 4 MiB
      const bytes = randomBytes(size);
      const path = join(dir, name);
      await writeFile(path, bytes);
      const tab = await SessionTab.open(h, 'Bumpy network');
      const { page } = tab;

      // The first PUT of part 2 loses its connection; storage answers the first of part 3 as it
      // answers an expired presigned URL (403, with the bucket's CORS headers).
      const first = new Set<string>();
      await page.route(`${h.storageOrigin}/**`, async (route) => {
        const request = route.request();
        const part = new URL(request.url()).searchParams.get('partNumber') ?? '';
        const again = first.has(part);
        first.add(part);
        if (request.method() !== 'PUT' || again || part === '1') await route.continue();
        else if (part === '2') await route.abort('connectionreset');
        else {
          await route.fulfill({
            status: 403,
            headers: {
              'access-control-allow-origin': h.baseUrl,
              'content-type': 'application/xml',
            },
            body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
          });
        }
      });
      const partRequests: number[][] = [];
      page.on('request', (request) => {
        if (request.method() !== 'POST' || !/\/v1\/files\/[^/]+\/parts$/.test(request.url()))
          return;
        const body = request.postDataJSON() as { parts: { partNumber: number }[] };
        partRequests.push(body.parts.map((p) => p.partNumber));
      });

      await tab.choose(path);
      await page.getByText('Ready', { exact: true }).waitFor({ timeout: 60_000 });

      const sorted = (parts: number[]): number[] => [...parts].sort((a, b) => a - b);
      // Part 1 once; parts 2 and 3 twice: the dropped one with the same URL, the refused one
      // with a fresh URL asked for it alone.
      assert.deepEqual(sorted(tab.puts.before), [1, 2, 2, 3, 3]);
      assert.deepEqual(partRequests, [[1, 2, 3], [3]]);
      const [record] = await tab.records();
      assert.equal(record, undefined);
      const files = (await (
        await tab.api('GET', `/v1/sessions/${tab.sessionId}/files`)
      ).json()) as {
        items: { name: string; status: string; sha256: string }[];
      };
      assert.deepEqual(
        files.items.map((f) => ({ name: f.name, status: f.status, sha256: f.sha256 })),
        [{ name, status: 'ready', sha256: sha256(bytes) }],
      );
      assert.deepEqual(tab.watch.pageErrors, []);
      await tab.context.close();
    });
  },
);
