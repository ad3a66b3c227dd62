// SHA-256 of a file on disk, streamed (never the whole file in memory): the whole file and, when
// `partSize` > 0, each part of that size, in one read.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileHashes {
  sha256: string;
  /** Hex SHA-256 of part 1, 2, …; empty when no part size was given. */
  parts: string[];
}

const CHUNK = 1024 * 1024;

export async function hashFile(
  path: string,
  partSize: number,
  onProgress: (done: number) => void,
  signal: AbortSignal,
  whole = true,
): Promise<FileHashes> {
  const total = whole ? createHash('sha256') : null;
  const parts: string[] = [];
  let part: Hash | null = partSize > 0 ? createHash('sha256') : null;
  let inPart = 0;
  let done = 0;
  const stream = createReadStream(path, { highWaterMark: CHUNK, signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total?.update(chunk);
    if (part !== null) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(chunk.length - offset, partSize - inPart);
        part.update(chunk.subarray(offset, offset + take));
        offset += take;
        inPart += take;
        if (inPart === partSize) {
          parts.push(part.digest('hex'));
          part = createHash('sha256');
          inPart = 0;
        }
      }
    }
    done += chunk.length;
    onProgress(done);
  }
  // The last, shorter part (an empty file has one empty part, as partCount says).
  if (part !== null && (inPart > 0 || parts.length === 0)) parts.push(part.digest('hex'));
  return { sha256: total?.digest('hex') ?? '', parts };
}
