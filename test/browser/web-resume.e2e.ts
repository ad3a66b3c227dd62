// A multipart upload from the web client survives a page reload: the page is reloaded while a
// part is on its way, the user chooses the same file again, and only the parts storage lacks are
// sent; the file ends `ready` with the bytes that were on disk.
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
  startWebHarness,
  watchPage,
  type WebHarness,
} from './web-harness.js';

const MIB = 1024 * 1024;
const FILE_NAME = 'holiday-video.bin';
const SIZE = 20 * MIB + 12_345; // 3 parts of 8 MiB: 8, 8 and the rest
const UPLOADS_KEY = 'sharexpress.uploads.v1';

interface StoragePut {
  partNumber: number;
  afterReload: boolean;
}

interface UploadRecord {
  fileId: string;
  partSize: number;
  done: Record<string, string>;
}

/** The part of the page's sessionStorage the test uses (this project's TypeScript has no DOM types). */
interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function uploadRecords(page: Page): Promise<UploadRecord[]> {
  const raw = await page.evaluate<string | null, string>(
    (key) =>
      (globalThis as unknown as { sessionStorage: SessionStore }).sessionStorage.getItem(key),
    UPLOADS_KEY,
  );
  return raw === null ? [] : (JSON.parse(raw) as UploadRecord[]);
}

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

describe(
  'web client: a multipart upload resumed after a reload',
  { skip: browserSkip, timeout: 180_000 },
  () => {
    let h: WebHarness;
    let dir = '';

    before(async () => {
      // 8 MiB, the threshold's minimum: a 20 MiB file goes multipart. The worker verifies it.
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
      const bytes = randomBytes(SIZE);
      const path = join(dir, FILE_NAME);
      await writeFile(path, bytes);

      // Signed in and in the session through the API: the test is about the upload panel.
      const tokens = await signUp(h.baseUrl);
      const auth = {
        authorization: `Bearer ${tokens.accessToken}`,
        'content-type': 'application/json',
      };
      const created = await fetch(`${h.baseUrl}/v1/sessions`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'Resume test' }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const session = (await created.json()) as { id: string };

      const context: BrowserContext = await h.desktop();
      // Only when the tab has none yet: a reload keeps what the page itself stored.
      await context.addInitScript(
        ({ key, value }) => {
          const storage = (globalThis as unknown as { sessionStorage: SessionStore })
            .sessionStorage;
          if (storage.getItem(key) === null) storage.setItem(key, value);
        },
        {
          key: 'sharexpress.user.v1',
          value: JSON.stringify({
            accessToken: tokens.accessToken,
            refreshToken: tokens.refreshToken,
            expiresAt: Date.now() + 10 * 60_000,
          }),
        },
      );
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      const watch = watchPage(page, h.baseUrl, [h.storageOrigin]);
      const shots = new Artifacts('web resume');

      // Every PUT the page sends to storage, by part number.
      const puts: StoragePut[] = [];
      let reloaded = false;
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (request.method() !== 'PUT' || url.origin !== h.storageOrigin) return;
        puts.push({
          partNumber: Number(url.searchParams.get('partNumber')),
          afterReload: reloaded,
        });
      });
      // Before the reload, part 1 goes through and every other part is held on its way.
      const held: Route[] = [];
      await page.route(`${h.storageOrigin}/**`, async (route) => {
        const request = route.request();
        const part = new URL(request.url()).searchParams.get('partNumber');
        if (request.method() === 'PUT' && part !== '1') held.push(route);
        else await route.continue();
      });

      await page.goto(`${h.baseUrl}/#/s/${session.id}`);
      await page.getByRole('heading', { level: 1, name: 'Resume test' }).waitFor();
      await page.getByLabel('Choose files').setInputFiles(path);
      const progress = page.getByRole('progressbar', { name: FILE_NAME });
      await progress.waitFor();

      // Part 1 stored (the page recorded it), parts 2 and 3 in flight.
      const record = await until('part 1 recorded, 2 and 3 held', async () => {
        const [first] = await uploadRecords(page);
        return first?.done['1'] !== undefined && held.length === 2 ? first : undefined;
      });
      assert.equal(record.partSize, 8 * MIB);
      await page.getByText('Uploading 1 of 3 parts').waitFor();
      await shots.shot(page, 'uploading part 1 of 3');

      // The reload: the held PUTs die with the page; from now on storage is reached untouched
      // (real CORS preflights included).
      await page.unrouteAll({ behavior: 'ignoreErrors' });
      reloaded = true;
      await page.reload();
      for (const route of held) await route.abort().catch(() => undefined);

      const prompt = page.getByText(`Resume ${FILE_NAME}: choose the file again`);
      await prompt.waitFor();
      await shots.shot(page, 'after reload resume prompt');
      assert.deepEqual(
        (await uploadRecords(page)).map((r) => r.fileId),
        [record.fileId],
      );

      await page.getByLabel('Choose files').setInputFiles(path);
      await page.getByText('Ready', { exact: true }).waitFor({ timeout: 60_000 });
      await shots.shot(page, 'ready');
      assert.equal(await prompt.count(), 0);

      // Before the reload parts 1, 2, 3 were PUT (2 and 3 held); after it only 2 and 3, once each.
      const sorted = (list: StoragePut[]): number[] =>
        list.map((p) => p.partNumber).sort((a, b) => a - b);
      assert.deepEqual(sorted(puts.filter((p) => !p.afterReload)), [1, 2, 3]);
      assert.deepEqual(sorted(puts.filter((p) => p.afterReload)), [2, 3]);
      // The finished upload leaves no record behind.
      assert.deepEqual(await uploadRecords(page), []);

      // The file is ready with the declared SHA-256, and the bytes downloaded through a grant match.
      const file = (await (
        await fetch(`${h.baseUrl}/v1/files/${record.fileId}`, { headers: auth })
      ).json()) as { status: string; sha256: string; size: number; name: string };
      assert.deepEqual(
        { status: file.status, sha256: file.sha256, size: file.size, name: file.name },
        { status: 'ready', sha256: sha256(bytes), size: SIZE, name: FILE_NAME },
      );
      const grant = await fetch(`${h.baseUrl}/v1/files/${record.fileId}/downloads`, {
        method: 'POST',
        headers: { authorization: auth.authorization },
      });
      assert.equal(grant.status, 201);
      const { url } = (await grant.json()) as { url: string };
      const downloaded = new Uint8Array(await (await fetch(url)).arrayBuffer());
      assert.equal(sha256(downloaded), sha256(bytes));

      assert.deepEqual(watch.foreignRequests, []);
      assert.deepEqual(watch.pageErrors, []);
      await context.close();
    });
  },
);
