// The server's part rule (docs/api.md, Files): partSize = max(8 MiB, ceil(size / 10000) rounded
// up to a whole MiB). The multipart threshold is a server setting (8 MiB at the least), so a file
// of 8 MiB or more gets its part hashes in the same read as its whole-file hash; the declare's
// answer says the real partSize, and the parts are hashed again only if it differs.
const MIB = 1024 * 1024;
export const MIN_MULTIPART_BYTES = 8 * MIB;

export function expectedPartSize(size: number): number {
  return Math.max(8 * MIB, Math.ceil(size / 10000 / MIB) * MIB);
}

export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** Byte range [start, end) of 1-based part `n`. */
export function partRange(size: number, partSize: number, n: number): [number, number] {
  const start = (n - 1) * partSize;
  return [start, Math.min(size, start + partSize)];
}

export function partLength(size: number, partSize: number, n: number): number {
  const [start, end] = partRange(size, partSize, n);
  return end - start;
}
