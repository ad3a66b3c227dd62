// Open cursors: the remaining documents of a find/aggregate, served in batches by getMore, and
// closed when exhausted, killed, or idle past the timeout.
import { Long, type Document } from 'bson';

export interface OpenCursor {
  id: Long;
  ns: string;
  docs: Document[];
  pos: number;
  lastUsed: number;
}

export const DEFAULT_BATCH_SIZE = 101;
// Leaves headroom under the 16 MiB reply limit for the reply envelope.
export const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;

export class CursorManager {
  private readonly open = new Map<string, OpenCursor>();
  private next = BigInt(Date.now()) * 1000n;

  constructor(private readonly idleTimeoutMs: number) {}

  add(ns: string, docs: Document[], pos: number): Long {
    this.next += 1n;
    const id = Long.fromBigInt(this.next);
    this.open.set(id.toString(), { id, ns, docs, pos, lastUsed: Date.now() });
    return id;
  }

  get(id: Long): OpenCursor | undefined {
    const c = this.open.get(id.toString());
    if (c) c.lastUsed = Date.now();
    return c;
  }

  kill(id: Long): boolean {
    return this.open.delete(id.toString());
  }

  sweep(now = Date.now()): void {
    for (const [key, c] of this.open) {
      if (now - c.lastUsed > this.idleTimeoutMs) this.open.delete(key);
    }
  }

  clear(): void {
    this.open.clear();
  }

  get size(): number {
    return this.open.size;
  }
}
