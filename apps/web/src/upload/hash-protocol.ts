// The messages between the page and hash.worker.ts.
export interface HashRequest {
  file: File;
  /** 0: no part hashes. */
  partSize: number;
  /** Whether to compute the whole file's SHA-256 too. */
  whole: boolean;
}

export type HashMessage =
  | { type: 'progress'; done: number }
  | { type: 'done'; sha256: string; parts: string[] }
  | { type: 'error'; message: string };
