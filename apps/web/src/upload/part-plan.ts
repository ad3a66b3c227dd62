// The server's part rule (docs/api.md, Files): partSize = max(8 MiB, ceil(size / 10000) rounded
// up to a whole MiB). The threshold for multipart is a server setting (at least 8 MiB), so a
// file of 8 MiB or more gets its part hashes while its whole-file hash is computed: one read.
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
