import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PartUrl } from '../api/types';
import { PutError } from './put-bytes';
import { sendParts } from './send-parts';

// The multipart sender when the device's clock disagrees with the server's: every presigned URL
// looks (almost) expired by a clock that runs fast. Each fresh URL must be used, not asked for
// again in a loop.

const SERVER_NOW = Date.parse('2026-12-03T10:00:00Z');

function plan(options: {
  clockAhead: number;
  putAnswers?: (n: number, tries: number) => Error | null;
}) {
  const asked: number[][] = [];
  const puts: number[] = [];
  const tries = new Map<number, number>();
  const stored: number[] = [];
  return {
    asked,
    puts,
    stored,
    plan: {
      missing: [1, 2, 3, 4, 5, 6],
      signal: new AbortController().signal,
      urls: (numbers: number[]): Promise<PartUrl[]> => {
        asked.push(numbers);
        return Promise.resolve(
          numbers.map((partNumber) => ({
            partNumber,
            url: `https://storage.test/part/${String(partNumber)}`,
            headers: {},
            // Valid for 15 minutes by the server's clock.
            expiresAt: new Date(SERVER_NOW + 15 * 60_000).toISOString(),
          })),
        );
      },
      put: (_url: PartUrl, n: number): Promise<string> => {
        puts.push(n);
        const count = (tries.get(n) ?? 0) + 1;
        tries.set(n, count);
        const error = options.putAnswers?.(n, count) ?? null;
        return error === null ? Promise.resolve(`etag-${String(n)}`) : Promise.reject(error);
      },
      stored: (n: number) => stored.push(n),
      progress: () => undefined,
      partBytes: () => 5,
      now: () => SERVER_NOW + options.clockAhead,
    },
  };
}

describe('sendParts with a skewed clock', () => {
  test('a clock 20 minutes fast still uses each URL it was just given (one batch, one PUT each)', async () => {
    const run = plan({ clockAhead: 20 * 60_000 });
    await sendParts(run.plan);
    assert.equal(run.asked.length, 1);
    assert.deepEqual(run.asked[0], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...run.puts].sort(), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...run.stored].sort(), [1, 2, 3, 4, 5, 6]);
  });

  test('storage refusing a URL (403) gets a fresh one a bounded number of times, then fails', async () => {
    const run = plan({
      clockAhead: 20 * 60_000,
      putAnswers: (n) => (n === 3 ? new PutError(403, 'expired') : null),
    });
    await assert.rejects(sendParts(run.plan), (error: unknown) => {
      return error instanceof PutError && error.status === 403;
    });
    const forPart3 = run.asked.filter((numbers) => numbers.includes(3)).length;
    assert.equal(forPart3, 4); // the first URL and 3 fresh ones
    assert.equal(run.puts.filter((n) => n === 3).length, 4);
  });

  test('an expired-looking URL kept from earlier is asked for again before use', async () => {
    // A network failure on part 1's first PUT: the retry finds its URL "expired" by this clock
    // (it is no longer fresh) and asks for a new one, once.
    const run = plan({
      clockAhead: 20 * 60_000,
      putAnswers: (n, tries) => (n === 1 && tries === 1 ? new PutError(0, '') : null),
    });
    await sendParts(run.plan);
    assert.equal(run.puts.filter((n) => n === 1).length, 2);
    assert.equal(run.asked.filter((numbers) => numbers.includes(1)).length, 2);
  });
});
