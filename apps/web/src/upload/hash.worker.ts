// Hashes a File in a streaming way, off the main thread: the whole file's SHA-256 and, when asked,
// each part's, reading a few MiB at a time so that a multi-GB file never sits in memory.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { HashRequest, HashMessage } from './hash-protocol';

const CHUNK = 4 * 1024 * 1024;

interface WorkerScope {
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null;
  postMessage(message: HashMessage): void;
}
const scope = self as unknown as WorkerScope;

async function hash({ file, partSize, whole }: HashRequest): Promise<void> {
  const all = whole ? sha256.create() : null;
  const parts: string[] = [];
  let part = partSize > 0 ? sha256.create() : null;
  let partEnd = partSize > 0 ? Math.min(file.size, partSize) : file.size;
  let offset = 0;
  let lastPost = 0;
  while (offset < file.size) {
    // A chunk never crosses a part boundary, so each part's hash is finished at its own end.
    const end = Math.min(offset + CHUNK, partEnd);
    const bytes = new Uint8Array(await file.slice(offset, end).arrayBuffer());
    all?.update(bytes);
    part?.update(bytes);
    offset = end;
    if (part !== null && offset === partEnd) {
      parts.push(bytesToHex(part.digest()));
      part = offset < file.size ? sha256.create() : null;
      partEnd = Math.min(file.size, offset + partSize);
    }
    const now = Date.now();
    if (now - lastPost > 100) {
      lastPost = now;
      scope.postMessage({ type: 'progress', done: offset });
    }
  }
  scope.postMessage({ type: 'done', sha256: all === null ? '' : bytesToHex(all.digest()), parts });
}

scope.onmessage = (event) => {
  hash(event.data).catch((error: unknown) => {
    scope.postMessage({
      type: 'error',
      message: error instanceof Error ? error.message : 'read failed',
    });
  });
};
