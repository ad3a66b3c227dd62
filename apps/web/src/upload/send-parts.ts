// The parts of a multipart upload, PARALLEL at a time: part URLs asked for in batches of up to
// 100 just before they are needed, a part that failed on a dropped connection retried with
// backoff, a part whose URL expired (403) sent again with a fresh one.
import { sleep } from '../api/sleep';
import type { PartUrl } from '../api/types';
import { PutError } from './put-bytes';

const PARALLEL = 4;
const BATCH = 100;
const MAX_TRIES = 6;
const MAX_FRESH_URLS = 3;
/** A URL this close to its expiry is asked for again rather than used. */
const EXPIRY_MARGIN_MS = 30_000;
const MAX_URL_ROUNDS = 5;
const URL_ROUND_DELAY_MS = 1000;

export interface PartsPlan {
  /** Part numbers to send, ascending. */
  missing: number[];
  signal: AbortSignal;
  urls(partNumbers: number[]): Promise<PartUrl[]>;
  put(url: PartUrl, partNumber: number, onSent: (bytes: number) => void): Promise<string>;
  /** Storage holds part n (its ETag). */
  stored(partNumber: number, etag: string): void;
  /** Bytes stored by this run plus those on their way. */
  progress(bytes: number): void;
  partBytes(partNumber: number): number;
  /** The server's clock (URL expiry times are the server's). */
  now(): number;
}

export async function sendParts(plan: PartsPlan): Promise<void> {
  const queue = [...plan.missing];
  const urls = new Map<number, PartUrl>();
  const sending = new Map<number, number>();
  let doneBytes = 0;
  let batch: Promise<void> | null = null;

  // A URL just issued is used once whatever it says about its expiry (a device clock that runs
  // fast would otherwise ask for it again and again); storage's 403 tells when it really expired.
  const fresh = new Set<number>();
  const usable = (n: number): boolean => {
    const url = urls.get(n);
    if (url === undefined) return false;
    return fresh.has(n) || Date.parse(url.expiresAt) - plan.now() > EXPIRY_MARGIN_MS;
  };
  const urlFor = async (n: number): Promise<PartUrl> => {
    for (let round = 0; ; round++) {
      const url = urls.get(n);
      if (url !== undefined && usable(n)) {
        fresh.delete(n);
        return url;
      }
      if (round >= MAX_URL_ROUNDS) throw new Error(`no usable URL for part ${String(n)}`);
      // Asked already and still nothing usable (another lane's batch took it): not in a loop.
      if (round > 0) await sleep(URL_ROUND_DELAY_MS, plan.signal);
      if (batch === null) {
        const numbers = [n, ...queue.filter((p) => !usable(p))].slice(0, BATCH);
        batch = plan
          .urls(numbers)
          .then((answer) => {
            for (const part of answer) {
              urls.set(part.partNumber, part);
              fresh.add(part.partNumber);
            }
          })
          .finally(() => (batch = null));
      }
      await batch;
    }
  };
  const report = (): void => {
    let inFlight = 0;
    for (const bytes of sending.values()) inFlight += bytes;
    plan.progress(doneBytes + inFlight);
  };

  const sendOne = async (n: number): Promise<void> => {
    let tries = 0;
    let fresh = 0;
    for (;;) {
      try {
        const url = await urlFor(n);
        const etag = await plan.put(url, n, (bytes) => {
          sending.set(n, bytes);
          report();
        });
        sending.delete(n);
        doneBytes += plan.partBytes(n);
        plan.stored(n, etag);
        report();
        return;
      } catch (error) {
        sending.delete(n);
        if (plan.signal.aborted) throw error;
        if (error instanceof PutError && error.status === 403 && fresh < MAX_FRESH_URLS) {
          fresh++;
          urls.delete(n); // expired (or clock skew): a fresh URL, at once
          continue;
        }
        tries++;
        if (!retryable(error) || tries >= MAX_TRIES) throw error;
        await sleep(Math.min(1000 * 2 ** (tries - 1), 15_000), plan.signal);
      }
    }
  };

  let failure: unknown = null;
  const lane = async (): Promise<void> => {
    for (let n = queue.shift(); n !== undefined && failure === null; n = queue.shift()) {
      try {
        await sendOne(n);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, lane));
  if (failure !== null)
    throw failure instanceof Error ? failure : new Error('a part failed', { cause: failure });
}

function retryable(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && (status === 0 || status === 429 || status >= 500);
}
