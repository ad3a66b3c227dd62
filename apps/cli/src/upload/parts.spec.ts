import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PutError } from './put.ts';
import { sendParts, type PartUrl, type PartsPlan } from './parts.ts';

function plan(
  count: number,
  put: PartsPlan['put'],
): { plan: PartsPlan; asked: number[][]; stored: number[] } {
  const asked: number[][] = [];
  const stored: number[] = [];
  let issued = 0;
  return {
    asked,
    stored,
    plan: {
      missing: Array.from({ length: count }, (_, i) => i + 1),
      signal: new AbortController().signal,
      urls: (numbers) => {
        asked.push(numbers);
        issued++;
        return Promise.resolve(
          numbers.map((n): PartUrl => ({
            partNumber: n,
            url: `http://s/${String(n)}?v=${String(issued)}`,
            headers: {},
            expiresAt: new Date(Date.now() + 600_000).toISOString(),
          })),
        );
      },
      put,
      stored: (n) => stored.push(n),
      progress: () => undefined,
      partBytes: () => 10,
    },
  };
}

describe('sendParts', () => {
  it('sends every part once, 4 at a time, asking for URLs in batches of at most 100', async () => {
    let inFlight = 0;
    let most = 0;
    const p = plan(250, async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return '"etag"';
    });
    await sendParts(p.plan);
    assert.deepEqual(
      [...p.stored].sort((a, b) => a - b),
      p.plan.missing,
    );
    assert.equal(most, 4);
    assert.ok(p.asked.every((batch) => batch.length <= 100 && batch.length > 0));
    assert.equal(new Set(p.asked.flat()).size, 250);
  });

  it('asks for a fresh URL when storage refuses an expired one (403), and stops on a 400', async () => {
    const tried: string[] = [];
    const p = plan(2, (url) => {
      tried.push(url.url);
      if (url.partNumber === 2 && tried.filter((u) => u.startsWith('http://s/2')).length === 1) {
        return Promise.reject(new PutError(403, '<Code>AccessDenied</Code>'));
      }
      return Promise.resolve('"e"');
    });
    await sendParts(p.plan);
    const part2 = tried.filter((u) => u.startsWith('http://s/2'));
    assert.equal(part2.length, 2);
    assert.notEqual(part2[0], part2[1], 'a new URL the second time');

    const bad = plan(1, () => Promise.reject(new PutError(400, '<Code>BadDigest</Code>')));
    await assert.rejects(
      sendParts(bad.plan),
      (e: unknown) => e instanceof PutError && e.status === 400,
    );
    assert.deepEqual(bad.stored, []);
  });

  it('tries a part again after a dropped connection', async () => {
    let calls = 0;
    const p = plan(1, () =>
      ++calls === 1 ? Promise.reject(new PutError(0, '')) : Promise.resolve('"e"'),
    );
    await sendParts(p.plan);
    assert.equal(calls, 2);
    assert.deepEqual(p.stored, [1]);
  });
});
