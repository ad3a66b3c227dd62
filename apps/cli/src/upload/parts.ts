// The parts of a multipart upload, PARALLEL at a time: part URLs asked for in batches of up to
// 100 just before they are needed, a part that failed on a dropped connection or a 5xx retried
// with backoff, a part whose URL expired (storage's 403) sent again with a fresh one.
import { PutError } from './put.ts';
import { backoff, MAX_TRIES, sleep } from './retry.ts';
import { isTransient } from './transient.ts';

export const PARALLEL = 4;
const BATCH = 100;
const MAX_FRESH_URLS = 3;
/** A URL this close to its expiry is asked for again rather than used. */
const EXPIRY_MARGIN_MS = 30_000;

export interface PartUrl {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export interface PartsPlan {
  /** Part numbers to send, ascending. */
  missing: number[];
  signal: AbortSignal;
  urls(partNumbers: number[]): Promise<PartUrl[]>;
  put(url: PartUrl, onSent: (bytes: number) => void): Promise<string>;
  /** Storage holds part n now (its ETag). */
  stored(partNumber: number, etag: string): void;
  /** Bytes of the missing parts sent so far, those on their way included. */
  progress(bytes: number): void;
  partBytes(partNumber: number): number;
}

export async function sendParts(plan: PartsPlan): Promise<void> {
  const queue = [...plan.missing];
  const urls = new Map<number, PartUrl>();
  const fresh = new Set<number>();
  const sending = new Map<number, number>();
  let doneBytes = 0;
  let batch: Promise<void> | null = null;

  // A URL just issued is used once whatever its expiry says (a skewed clock would ask again and
  // again); storage's 403 tells when it really expired.
  const usable = (n: number): boolean => {
    const url = urls.get(n);
    if (url === undefined) return false;
    return fresh.has(n) || Date.parse(url.expiresAt) - Date.now() > EXPIRY_MARGIN_MS;
  };
  const urlFor = async (n: number): Promise<PartUrl> => {
    for (let round = 0; round < 5; round++) {
      const url = urls.get(n);
      if (url !== undefined && usable(n)) {
        fresh.delete(n);
        return url;
      }
      if (batch === null) {
        const numbers = [n, ...queue.filter((p) => !usable(p))].slice(0, BATCH);
        batch = withRetry(() => plan.urls(numbers), plan.signal)
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
    throw new Error(`the server gave no usable URL for part ${String(n)}`);
  };
  const report = (): void => {
    let inFlight = 0;
    for (const bytes of sending.values()) inFlight += bytes;
    plan.progress(doneBytes + inFlight);
  };

  const sendOne = async (n: number): Promise<void> => {
    let tries = 0;
    let freshUrls = 0;
    for (;;) {
      try {
        const url = await urlFor(n);
        const etag = await plan.put(url, (bytes) => {
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
        report();
        if (plan.signal.aborted) throw error;
        if (error instanceof PutError && error.status === 403 && freshUrls < MAX_FRESH_URLS) {
          freshUrls++;
          urls.delete(n);
          fresh.delete(n);
          continue;
        }
        tries++;
        if (!isTransient(error) || tries >= MAX_TRIES) throw error;
        await sleep(backoff(tries - 1), plan.signal);
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
  if (failure !== null) {
    throw failure instanceof Error ? failure : new Error('a part failed', { cause: failure });
  }
}

/** An API call tried again on a dropped connection, a 5xx or a rate limit. */
export async function withRetry<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (signal.aborted || !isTransient(error) || attempt + 1 >= MAX_TRIES) throw error;
      await sleep(backoff(attempt), signal);
    }
  }
}
