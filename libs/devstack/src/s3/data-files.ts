// Object data on disk. A simple object is one file; a multipart object keeps its parts' files
// (moved, never copied, at CompleteMultipartUpload, so completing is as quick as on S3) and is
// read as their concatenation. A file a read is streaming from is removed only once that read
// is done, so an overwrite or delete never cuts a download short.
import { createReadStream } from 'node:fs';
import { removeQuietly } from './disk.js';

export interface DataSegment {
  path: string;
  size: number;
}

const READ_CHUNK = 1024 * 1024;

/** Reference counts of data files being read, and the files to remove once they are not. */
export class DataFiles {
  private readonly readers = new Map<string, number>();
  private readonly doomed = new Set<string>();

  /** Holds `paths` against removal until the returned function runs (idempotent). */
  pin(paths: readonly string[]): () => void {
    for (const p of paths) this.readers.set(p, (this.readers.get(p) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const p of paths) {
        const left = (this.readers.get(p) ?? 1) - 1;
        if (left > 0) {
          this.readers.set(p, left);
          continue;
        }
        this.readers.delete(p);
        if (this.doomed.delete(p)) void removeQuietly(p);
      }
    };
  }

  /** Removes the files now, or each when its last reader lets go. */
  async discard(paths: readonly string[]): Promise<void> {
    for (const p of paths) {
      if (this.readers.has(p)) this.doomed.add(p);
      else await removeQuietly(p);
    }
  }
}

/** Bytes `start..end` (inclusive) of the concatenation of `segments`, in 1 MiB chunks. */
export async function* readSegments(
  segments: readonly DataSegment[],
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  let offset = 0;
  for (const segment of segments) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + segment.size - 1);
    offset += segment.size;
    if (from > to) {
      if (offset > end) return;
      continue;
    }
    const base = offset - segment.size;
    yield* createReadStream(segment.path, {
      start: from - base,
      end: to - base,
      highWaterMark: READ_CHUNK,
    }) as AsyncIterable<Buffer>;
  }
}
