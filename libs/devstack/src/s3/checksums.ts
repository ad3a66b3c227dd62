// Additional checksums (x-amz-checksum-*) S3 verifies and stores: CRC32, CRC32C, CRC64NVME,
// SHA-1, SHA-256. Anything else is refused loudly rather than silently ignored.
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc64Nvme } from './crc64.js';
import { S3Error } from './errors.js';
import { crc32c } from '../shared/crc32c.js';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

/** A stored checksum: base64 digest (composites carry a `-N` suffix). */
export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
  type: ChecksumType;
}

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

/** `x-amz-checksum-sha256` etc. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** XML element name in S3 documents, e.g. `ChecksumSHA256`. */
export function checksumElement(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

/** Parses an algorithm name from a header (`sha256`, `SHA256`, `crc32c`...). */
export function parseAlgorithm(name: string): ChecksumAlgorithm {
  const upper = name.trim().toUpperCase();
  const found = CHECKSUM_ALGORITHMS.find((a) => a === upper);
  if (!found) {
    throw new S3Error(
      'InvalidRequest',
      `Value for x-amz-checksum-algorithm header is invalid: ${name}`,
    );
  }
  return found;
}

/** Validates a base64 digest's shape for its algorithm. */
export function isValidDigest(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').length === DIGEST_BYTES[algorithm];
}

/** An incremental digest for one algorithm, producing S3's base64 form. */
export class Checksummer {
  private hash: Hash | undefined;
  private crc64: Crc64Nvme | undefined;
  private crc = 0;
  constructor(readonly algorithm: ChecksumAlgorithm) {
    if (algorithm === 'SHA1') this.hash = createHash('sha1');
    if (algorithm === 'SHA256') this.hash = createHash('sha256');
    if (algorithm === 'CRC64NVME') this.crc64 = new Crc64Nvme();
  }

  update(chunk: Buffer): void {
    if (this.hash) this.hash.update(chunk);
    else if (this.crc64) this.crc64.update(chunk);
    else if (this.algorithm === 'CRC32') this.crc = crc32(chunk, this.crc);
    else this.crc = crc32c(chunk, this.crc);
  }

  digest(): Buffer {
    if (this.hash) return this.hash.digest();
    if (this.crc64) return this.crc64.digest();
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc >>> 0);
    return out;
  }
}

export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  const c = new Checksummer(algorithm);
  c.update(data);
  return c.digest().toString('base64');
}

/** S3's composite checksum: digest of the concatenated raw part digests, suffixed `-N`. */
export function compositeChecksum(
  algorithm: ChecksumAlgorithm,
  partDigests: readonly string[],
): string {
  const raw = Buffer.concat(partDigests.map((d) => Buffer.from(d, 'base64')));
  return `${checksumOf(algorithm, raw)}-${partDigests.length}`;
}
