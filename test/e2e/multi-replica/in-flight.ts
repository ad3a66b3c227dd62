// What the shutdown scenario needs besides the gate: knowing that a replica has begun to shut
// down, and a client that keeps using the other replica meanwhile, recording every answer.
import assert from 'node:assert/strict';
import type { Client } from './replica-client.js';

/**
 * Resolves once `baseUrl` no longer serves as before a SIGTERM: it answers 503
 * SERVICE_UNAVAILABLE (draining, new requests refused) or refuses the connection (no longer
 * listening). Fails if it still answers 200 after `deadlineMs`.
 */
export async function untilDraining(
  baseUrl: string,
  deadlineMs: number,
): Promise<'503' | 'closed'> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      if (res.status === 503) {
        const body = JSON.parse(text) as { code?: string };
        assert.equal(body.code, 'SERVICE_UNAVAILABLE', text);
        assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
        return '503';
      }
      assert.equal(res.status, 200, text);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      return 'closed';
    }
    if (Date.now() > deadline) throw new Error(`${baseUrl} still serving after SIGTERM`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Answer {
  at: number;
  status: number;
}

export interface KeptServing {
  /** Stops the loops; resolves to every answer (a network error counts as status 0). */
  stop(): Promise<Answer[]>;
}

/** `lanes` loops of `request` against one replica until stopped, each answer recorded. */
export function keepCalling(
  c: Client,
  baseUrl: string,
  paths: { method: string; path: string; token?: string }[],
  lanes = 2,
): KeptServing {
  const answers: Answer[] = [];
  let stopped = false;
  const lane = async (offset: number): Promise<void> => {
    for (let i = offset; !stopped; i++) {
      const target = paths[i % paths.length];
      if (target === undefined) return;
      const at = Date.now();
      try {
        const res = await c.call(baseUrl, target.method, target.path, {
          token: target.token,
          signal: AbortSignal.timeout(10_000),
        });
        await res.body?.cancel();
        answers.push({ at, status: res.status });
      } catch {
        answers.push({ at, status: 0 });
      }
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  return {
    stop: async () => {
      stopped = true;
      await running;
      return answers;
    },
  };
}
