// The page's side of hash.worker.ts: one worker per hashing job, ended when it answers.
import type { HashMessage, HashRequest } from './hash-protocol';

export interface Hashes {
  sha256: string;
  parts: string[];
}

export function hashFile(
  request: HashRequest,
  onProgress: (done: number) => void,
  signal: AbortSignal,
): Promise<Hashes> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./hash.worker.ts', import.meta.url), { type: 'module' });
    const stop = (): void => {
      worker.terminate();
      reject(new DOMException('cancelled', 'AbortError'));
    };
    signal.addEventListener('abort', stop, { once: true });
    const end = (): void => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
    };
    worker.onmessage = (event: MessageEvent<HashMessage>) => {
      const message = event.data;
      if (message.type === 'progress') onProgress(message.done);
      else if (message.type === 'done') {
        end();
        resolve({ sha256: message.sha256, parts: message.parts });
      } else {
        end();
        reject(new Error(`Could not read the file: ${message.message}`));
      }
    };
    worker.onerror = () => {
      end();
      reject(new Error('Could not read the file'));
    };
    worker.postMessage(request);
  });
}
