// How a declared file is uploaded: one presigned PUT below the multipart threshold, else S3
// multipart with parts of one fixed size (the last may be shorter).

const MIB = 1024 * 1024;
/** Smallest part we plan (S3's floor for all but the last part is 5 MiB). */
export const MIN_PART_BYTES = 8 * MIB;
/** S3's most parts per upload. */
export const MAX_PARTS = 10_000;

export interface SinglePlan {
  mode: 'single';
}

export interface MultipartPlan {
  mode: 'multipart';
  /** Length of every part but the last. */
  partSize: number;
  partCount: number;
  /** The declared file size the plan was made for. */
  size: number;
}

export type UploadPlan = SinglePlan | MultipartPlan;

/**
 * Single below `thresholdBytes`, multipart at or above it, with
 * partSize = max(8 MiB, ceil(size / 10000) rounded up to a whole MiB) and
 * partCount = ceil(size / partSize), which never exceeds 10000.
 */
export function planParts(size: number, thresholdBytes: number): UploadPlan {
  assertByteCount('size', size);
  assertByteCount('thresholdBytes', thresholdBytes);
  if (size < thresholdBytes) return { mode: 'single' };
  const perPart = Math.ceil(Math.ceil(size / MAX_PARTS) / MIB) * MIB;
  const partSize = Math.max(MIN_PART_BYTES, perPart);
  // An empty multipart upload still has one (empty) part.
  const partCount = Math.max(1, Math.ceil(size / partSize));
  return { mode: 'multipart', partSize, partCount, size };
}

/**
 * Length in bytes of part `partNumber` (1-based) of a multipart plan: `partSize` for all but
 * the last, the remainder for the last. A plan rebuilt from stored fields works the same.
 */
export function partLength(
  plan: Pick<MultipartPlan, 'partSize' | 'partCount' | 'size'>,
  partNumber: number,
): number {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
    throw new RangeError(
      `part number ${String(partNumber)} is outside 1..${String(plan.partCount)}`,
    );
  }
  if (partNumber < plan.partCount) return plan.partSize;
  return plan.size - plan.partSize * (plan.partCount - 1);
}

function assertByteCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
}
