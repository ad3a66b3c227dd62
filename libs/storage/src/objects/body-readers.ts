// Reading GetObject bodies: bounded into memory (sniffing) or through a hash in constant memory
// (read-back verification). Both stop at once when the call's signal aborts.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** The SDK's GetObject body in Node is an http.IncomingMessage (a Readable). */
export function asReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  throw new TypeError('GetObject returned a body that is not a Node.js stream');
}

/** Destroys `body` with the abort reason when `signal` fires; returns the unsubscribe. */
function destroyOnAbort(body: Readable, signal: AbortSignal): () => void {
  const onAbort = (): void => {
    body.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** Reads the whole body, refusing (and cutting) one that grows past `limit` bytes. */
export async function readAtMost(
  body: Readable,
  limit: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const unsubscribe = destroyOnAbort(body, signal);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        body.destroy();
        throw new RangeError(`Storage returned more than the ${limit} bytes asked for`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  } finally {
    unsubscribe();
  }
}

/**
 * Streams the body through SHA-256, one chunk at a time (the stream's own buffering is all the
 * memory it takes), calling `progress` for every chunk. Fails when fewer than `expectedSize`
 * bytes arrive.
 */
export async function hashStream(
  body: Readable,
  expectedSize: number | undefined,
  signal: AbortSignal,
  progress: () => void,
): Promise<{ sha256Hex: string; size: number }> {
  const unsubscribe = destroyOnAbort(body, signal);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      progress();
    }
  } finally {
    unsubscribe();
  }
  if (expectedSize !== undefined && size !== expectedSize) {
    // Node's own code for a stream cut short: an infrastructure failure, not a caller bug.
    throw Object.assign(new Error(`Object body ended after ${size} of ${expectedSize} bytes`), {
      code: 'ERR_STREAM_PREMATURE_CLOSE',
    });
  }
  return { sha256Hex: hash.digest('hex'), size };
}
