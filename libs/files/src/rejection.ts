import { REJECT_REASONS, type RejectReason } from './file-lifecycle-metrics.js';

/** What did not match, and how: stored as the file's `rejectedReason` ("<reason>: <detail>"). */
export interface Rejection {
  reason: RejectReason;
  detail: string;
}

export const rejectionText = (rejection: Rejection): string =>
  `${rejection.reason}: ${rejection.detail}`;

/** The `reason` label of a stored `rejectedReason` (for files rejected before this format). */
export function reasonOf(rejectedReason: string | null): RejectReason | null {
  const label = rejectedReason?.split(':', 1)[0];
  return REJECT_REASONS.find((reason) => reason === label) ?? null;
}

/** Compares what storage holds with what the client declared; null when both match. */
export function integrityMismatch(
  declared: { size: number; sha256: string },
  stored: { size: number; sha256Hex: string | null },
): Rejection | null {
  if (stored.size !== declared.size) {
    return {
      reason: 'size',
      detail: `storage holds ${String(stored.size)} bytes, ${String(declared.size)} were declared`,
    };
  }
  if (stored.sha256Hex === null) {
    return { reason: 'checksum', detail: 'storage holds no SHA-256 for the object' };
  }
  if (stored.sha256Hex !== declared.sha256) {
    return {
      reason: 'checksum',
      detail: `the stored bytes hash to SHA-256 ${stored.sha256Hex}, ${declared.sha256} was declared`,
    };
  }
  return null;
}

/** A base64 SHA-256 (as S3 returns it) in lower-case hex; null for anything else. */
export function base64Sha256ToHex(value: string | undefined | null): string | null {
  if (value === undefined || value === null || !/^[A-Za-z0-9+/]{43}=$/.test(value)) return null;
  return Buffer.from(value, 'base64').toString('hex');
}

/** A lower-case hex SHA-256 as the base64 S3 wants in x-amz-checksum-sha256. */
export const hexSha256ToBase64 = (hex: string): string =>
  Buffer.from(hex, 'hex').toString('base64');
