// Splits a TCP byte stream into whole wire messages, whatever the chunking: a message may arrive
// in pieces, and one chunk may hold several messages.
export const HEADER_SIZE = 16;

export class FramingError extends Error {}

export class MessageFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageSize: number) {}

  /** Set once the stream is unusable; messages completed before the bad one are still returned. */
  failed: FramingError | undefined;

  /** Adds a chunk and returns every message it completed, up to a bad length if any. */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const length = head.readInt32LE(0);
      if (length < HEADER_SIZE || length > this.maxMessageSize) {
        this.failed = new FramingError(`invalid message length ${length}`);
        break;
      }
      if (this.buffered < length) break;
      out.push(this.take(length));
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const first = this.peek(n);
    const msg = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return msg;
  }
}
